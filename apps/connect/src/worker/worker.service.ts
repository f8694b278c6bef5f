import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  EXACTLY_ONCE_SUPPORT_CONFIG,
  TRANSACTION_BOUNDARY_CONFIG,
  buildTransformChain,
  createConverter,
  createErrorReporters,
  parseErrorHandlingConfig,
  RetryWithToleranceOperator,
  type ConnectHeader,
  type Connector,
  type ConnectorPlugin,
  type ErrorReporter,
  type ParsedConfig,
  type SinkRecord,
  type SinkTask,
  type SourceRecord,
  type SourceTask,
  parseConfig,
} from '@millrace/connect-sdk';
import { ensureTopic, KafkaClients } from '@millrace/kafka-log';
import type { RecordHeader } from '@millrace/protocol';
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
import { FencedCommitter } from './fenced-committer';
import { NonTransactionalCommitter } from './non-transactional-committer';
import type { SourceRecordCommitter } from './source-record-committer';
import { sourceTransactionalId, TransactionalCommitter } from './transactional-committer';
import { sinkConsumerConfig } from './sink-consumer-config';
import { SinkTaskRunner } from './sink-task-runner';
import { connectorLogger, SourceTaskRunner } from './source-task-runner';
import type { TaskRunner } from './task-runner';

/**
 * Most records a source task is asked for at once (`SourceTask.read(max)`): one batch is
 * converted, produced and its offsets stored together, so bigger batches mean fewer
 * round trips (the offset write waits for its read-back). Tasks return what they have.
 */
const SOURCE_BATCH_RECORDS = 10_000;

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
    const metrics = this.metrics.forTask(name, id);
    const onState = (state: Parameters<StatusStore['putTask']>[2], error?: unknown) => {
      this.metrics.setTaskState(name, id, state);
      this.statusStore.putTask(name, id, state, error);
    };
    const closers: (() => Promise<void>)[] = [];
    let runner: TaskRunner;
    try {
      // Config providers resolve at task start; only the task and its converters see the values.
      taskConfig = this.secrets.resolve(taskConfig, plugin, connectorConfig);
      connectorConfig = this.secrets.resolve(connectorConfig, plugin);
      const converterDefaults = { 'schema.registry.url': this.config.registryUrl };
      const keyConverter = await createConverter(converterName(connectorConfig['key.converter']), connectorConfig, true, converterDefaults);
      const valueConverter = await createConverter(converterName(connectorConfig['value.converter']), connectorConfig, false, converterDefaults);
      const errorConfig = parseErrorHandlingConfig(connectorConfig);
      let send: ((topic: string, key: Buffer | null, value: Buffer | null, headers: readonly ConnectHeader[]) => Promise<void>) | undefined;
      if (plugin.type === 'sink' && errorConfig.deadLetterQueueTopic !== '') {
        await this.ensureDeadLetterTopic(errorConfig.deadLetterQueueTopic, errorConfig.deadLetterQueueReplicationFactor);
        const producer = this.clients.producer(`dlq-${name}-${id}`);
        closers.push(() => producer.close().catch(() => undefined));
        send = async (topic, key, value, headers) => {
          await producer.send([{ topic, key, value, headers: recordHeaders(headers) }]);
          metrics.deadLetterRecord();
        };
      }
      const reporters: ErrorReporter[] = createErrorReporters(errorConfig, { connectorName: name, taskId: id, connectorType: plugin.type, logger: connectorLogger(logger), send });
      closers.unshift(async () => {
        for (const r of reporters) await r.close?.().catch(() => undefined);
      });
      const operator = RetryWithToleranceOperator.fromConfig(errorConfig, { reporters });
      const task = plugin.createTask();
      if (hasSourceLag(task)) this.metrics.setSourceLagReporter(name, id, task);
      if (plugin.type === 'source') {
        const transforms = buildTransformChain<SourceRecord>(connectorConfig);
        closers.push(async () => transforms.close());
        runner = new SourceTaskRunner({
          connector: name,
          id,
          task: task as SourceTask,
          taskConfig,
          keyConverter,
          valueConverter,
          transforms,
          operator,
          committer: new FencedCommitter(this.sourceCommitter(name, id, connectorConfig), owns, name, id),
          offsetStore: this.offsetStore,
          onState,
          logger,
          batchSize: SOURCE_BATCH_RECORDS,
          metrics,
        });
      } else {
        const transforms = buildTransformChain<SinkRecord>(connectorConfig);
        closers.push(async () => transforms.close());
        const topics = (connectorConfig.topics ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        runner = new SinkTaskRunner({
          connector: name,
          id,
          task: task as SinkTask,
          taskConfig,
          kafka: this.clients.kafkajs,
          topics,
          topicsRegex: connectorConfig['topics.regex'] ?? '',
          consumerConfig: sinkConsumerConfig(connectorConfig),
          keyConverter,
          valueConverter,
          transforms,
          operator,
          onState,
          logger,
          metrics,
        });
      }
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'task could not be created');
      for (const close of closers) await close();
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
  /**
   * A source task's committer: exactly once (records and offsets in one transaction,
   * transactional id `<group.id>-<connector>-<task>`) when the worker runs sources
   * exactly once; otherwise at least once. `exactly.once.support=required` on a worker
   * without it fails the task, naming the setting.
   */
  private sourceCommitter(name: string, id: number, connectorConfig: Readonly<Record<string, string>>): SourceRecordCommitter {
    const required = (connectorConfig[EXACTLY_ONCE_SUPPORT_CONFIG] ?? '').toLowerCase() === 'required';
    if (!this.cluster.exactlyOnceSource) {
      if (required) {
        throw new Error(`${EXACTLY_ONCE_SUPPORT_CONFIG}=required, but this worker does not run source tasks exactly once (MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE=${this.config.exactlyOnceSource}; the Kafka cluster must serve transactions)`);
      }
      return new NonTransactionalCommitter(() => this.clients.producer(`source-${name}-${id}`), this.offsetStore, name);
    }
    const boundary = (connectorConfig[TRANSACTION_BOUNDARY_CONFIG] ?? 'poll').toLowerCase();
    if (boundary !== 'poll') throw new Error(`${TRANSACTION_BOUNDARY_CONFIG}=${boundary} is not supported yet: use poll (one transaction per batch the task returns)`);
    const transactionalId = sourceTransactionalId(this.config.groupId, name, id);
    return new TransactionalCommitter(() => this.clients.producer(`source-${name}-${id}`, { transactionalId }), this.offsetStore, this.config.offsetTopic, name);
  }

  async pauseTasks(name: string): Promise<void> {
    await Promise.all([...this.tasks.values()].filter((t) => t.runner.connector === name).map((t) => t.runner.pause()));
  }

  async resumeTasks(name: string): Promise<void> {
    await Promise.all([...this.tasks.values()].filter((t) => t.runner.connector === name).map((t) => t.runner.resume()));
  }

  /** Creates a dead letter queue topic (1 partition) unless it exists; see ensureTopic for the replication factor. */
  private async ensureDeadLetterTopic(topic: string, replicationFactor: number): Promise<void> {
    const admin = this.clients.kafkajs.admin();
    await admin.connect();
    try {
      await ensureTopic(admin, { topic, partitions: 1, replicationFactor }, this.logger);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
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

/** A connector's converter name, or the worker default `avro` when unset. */
function converterName(configured: string | undefined): string {
  const name = (configured ?? '').trim();
  return name === '' ? 'avro' : name;
}

function recordHeaders(headers: readonly ConnectHeader[]): RecordHeader[] {
  return headers.map((h) => ({ key: h.key, value: typeof h.value === 'string' ? Buffer.from(h.value, 'utf8') : h.value }));
}
