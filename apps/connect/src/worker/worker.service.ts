import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { parseConfig, type Connector, type ConnectorPlugin, type ParsedConfig } from '@millrace/connect-sdk';
import { KafkaClients } from '@millrace/kafka-log';
import type { Logger } from 'pino';
import { ClusterInfoService } from '../cluster/cluster-info.service';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { ConnectMetrics } from '../metrics/connect-metrics';
import { hasSourceLag } from '../metrics/task-metrics';
import { connectorConfigDef } from '../plugins/connector-config-validator';
import { SecretsService } from '../secrets/secrets.service';
import { OffsetStore } from '../storage/offset-store';
import { StatusStore } from '../storage/status-store';
import { assembleTask, type ExactlyOnceSource } from './task-assembly';
import { ThreadedTaskRunner } from './threads/threaded-task-runner';
import type { TaskRunner } from './task-runner';

/** What the herder hears from a running connector instance. */
export interface ConnectorCallbacks {
  requestTaskReconfiguration(): void;
  raiseError(error: Error): void;
}

interface RunningTask {
  readonly runner: TaskRunner;
  /** Resources owned by the task (DLQ producer, reporters, transforms), closed after the runner. */
  readonly closers: (() => Promise<void>)[];
}

/**
 * Runs connector instances and their tasks in this process and reports their states to
 * the status store. It holds no config of its own: the herder tells it what to run.
 *
 * Contracts: at most one instance per connector and one runner per task id; starting
 * something that runs stops the old one first; every stop waits for the task's batch in
 * flight, flushes and disconnects its Kafka clients. On shutdown every task and
 * connector is stopped before the stores close.
 */
@Injectable()
export class WorkerService implements BeforeApplicationShutdown {
  private readonly clients: KafkaClients;
  private readonly logger: Logger;
  private readonly connectors = new Map<string, Connector>();
  private readonly tasks = new Map<string, RunningTask>();
  /** Each running connector's config as stored (placeholders unresolved). */
  private readonly storedConfigs = new Map<string, Readonly<Record<string, string>>>();

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly statusStore: StatusStore,
    private readonly offsetStore: OffsetStore,
    private readonly secrets: SecretsService,
    private readonly metrics: ConnectMetrics,
    private readonly cluster: ClusterInfoService,
  ) {
    this.logger = rootLogger.child({ component: 'worker' });
    this.clients = new KafkaClients(config.bootstrap, 'millrace-connect-worker', this.logger);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }

  /** Stops every task (flushing it), then every connector; idempotent. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((key) => this.stopTaskByKey(key)));
    await Promise.all([...this.connectors.keys()].map((name) => this.stopConnector(name)));
    await this.statusStore.flush();
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.has(name);
  }

  /** Starts a connector instance; on failure reports FAILED and returns false. */
  async startConnector(name: string, plugin: ConnectorPlugin, config: Readonly<Record<string, string>>, parsed: ParsedConfig, paused: boolean, callbacks: ConnectorCallbacks): Promise<boolean> {
    await this.stopConnector(name);
    const connector = plugin.createConnector();
    const logger = this.logger.child({ connector: name });
    try {
      // Config providers resolve at start; the stored config keeps its placeholders.
      const resolved = this.secrets.resolve(config, plugin);
      if (JSON.stringify(resolved) !== JSON.stringify(config)) parsed = parseConfig(connectorConfigDef(plugin), resolved).parsed;
      await connector.start(resolved, parsed, {
        name,
        logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m), debug: (m) => logger.debug(m) },
        requestTaskReconfiguration: () => callbacks.requestTaskReconfiguration(),
        raiseError: (error) => callbacks.raiseError(error),
      });
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'connector failed to start');
      this.statusStore.putConnector(name, 'FAILED', err);
      await connector.stop().catch(() => undefined);
      return false;
    }
    this.connectors.set(name, connector);
    this.storedConfigs.set(name, config);
    this.statusStore.putConnector(name, paused ? 'PAUSED' : 'RUNNING');
    return true;
  }

  async taskConfigs(name: string, maxTasks: number): Promise<Record<string, string>[]> {
    const connector = this.connectors.get(name);
    if (!connector) throw new Error(`connector ${name} is not running`);
    return this.secrets.unresolve(this.storedConfigs.get(name) ?? {}, await connector.taskConfigs(maxTasks));
  }

  async stopConnector(name: string): Promise<void> {
    const connector = this.connectors.get(name);
    if (!connector) return;
    this.connectors.delete(name);
    this.storedConfigs.delete(name);
    await connector.stop().catch((err: unknown) => this.logger.warn({ connector: name, err: (err as Error).message }, 'connector stop failed'));
  }

  /** Reports the connector's state without touching its instance (PAUSED, STOPPED, RESTARTING...). */
  reportConnector(name: string, state: Parameters<StatusStore['putConnector']>[1], error?: unknown): void {
    this.statusStore.putConnector(name, state, error);
  }

  runningTaskIds(name: string): number[] {
    return [...this.tasks.values()].filter((t) => t.runner.connector === name).map((t) => t.runner.id).sort((a, b) => a - b);
  }

  /**
   * Starts task `id` of a connector with its task config; converters, error handling
   * and topics come from the connector config. A task that cannot be built or opened is
   * reported FAILED (it stays registered so that restart and stop find it). A source
   * task commits only while `owns()` holds (FencedCommitter: fencing by group generation).
   */
  async startTask(
    name: string,
    id: number,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    paused: boolean,
    owns: () => boolean = () => true,
  ): Promise<void> {
    const key = taskKey(name, id);
    await this.stopTaskByKey(key);
    const logger = this.logger.child({ connector: name, task: id });
    const metrics = this.metrics.forTask(name, id, (topic) => this.statusStore.putActiveTopic(name, topic, id));
    const onState = (state: Parameters<StatusStore['putTask']>[2], error?: unknown) => {
      this.metrics.setTaskState(name, id, state);
      this.statusStore.putTask(name, id, state, error);
    };
    let runner: TaskRunner;
    let closers: (() => Promise<void>)[] = [];
    try {
      // Config providers resolve at task start; only the task and its converters see the values.
      const resolvedTask = this.secrets.resolve(taskConfig, plugin, connectorConfig);
      const resolvedConnector = this.secrets.resolve(connectorConfig, plugin);
      if (this.config.taskThreads && plugin.threadSafeTasks === true) {
        runner = new ThreadedTaskRunner({
          connector: name,
          id,
          pluginClass: plugin.name,
          connectorConfig: resolvedConnector,
          taskConfig: resolvedTask,
          bootstrap: this.config.bootstrap,
          registryUrl: this.config.registryUrl,
          pluginModules: this.config.pluginModules,
          offsets: this.offsetStore,
          owns,
          ...this.exactlyOnceDeps(),
          metrics,
          onState,
          logger,
        });
      } else {
        ({ runner, closers } = await assembleTask(name, id, plugin, resolvedConnector, resolvedTask, {
          clients: this.clients,
          registryUrl: this.config.registryUrl,
          logger,
          metrics,
          onState,
          offsets: this.offsetStore,
          owns,
          ...this.exactlyOnceDeps(),
          onTaskCreated: (task) => {
            if (hasSourceLag(task)) this.metrics.setSourceLagReporter(name, id, task);
          },
        }));
      }
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'task could not be created');
      onState('FAILED', err);
      return;
    }
    this.tasks.set(key, { runner, closers });
    onState('UNASSIGNED');
    await runner.start(paused);
  }

  async stopTask(name: string, id: number): Promise<void> {
    await this.stopTaskByKey(taskKey(name, id));
  }

  async stopTasks(name: string): Promise<void> {
    await Promise.all(this.runningTaskIds(name).map((id) => this.stopTask(name, id)));
  }

  /** Tells every task of the connector at once (synchronously); resolves once none commits anymore. */
  /** Whether source tasks run exactly once here (ClusterInfoService decided at start-up), for assembleTask. */
  private exactlyOnceDeps(): { exactlyOnce: ExactlyOnceSource | null; exactlyOnceSetting: string } {
    return {
      exactlyOnce: this.cluster.exactlyOnceSource ? { groupId: this.config.groupId, offsetTopic: this.config.offsetTopic } : null,
      exactlyOnceSetting: this.config.exactlyOnceSource,
    };
  }

  async pauseTasks(name: string): Promise<void> {
    await Promise.all([...this.tasks.values()].filter((t) => t.runner.connector === name).map((t) => t.runner.pause()));
  }

  async resumeTasks(name: string): Promise<void> {
    await Promise.all([...this.tasks.values()].filter((t) => t.runner.connector === name).map((t) => t.runner.resume()));
  }

  private async stopTaskByKey(key: string): Promise<void> {
    const t = this.tasks.get(key);
    if (!t) return;
    this.tasks.delete(key);
    await t.runner.stop();
    for (const close of t.closers) await close();
    this.metrics.removeTask(t.runner.connector, t.runner.id);
  }
}

function taskKey(name: string, id: number): string {
  return `${name}\u0000${id}`;
}
