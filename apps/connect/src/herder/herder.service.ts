import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ConnectRestError } from '../http/connect-rest-error';
import { ROOT_LOGGER } from '@millrace/app-common';
import { PluginRegistry } from '../plugins/plugin-registry';
import { ConfigStore, type ConnectorSnapshot, type TargetState } from '../storage/config-store';
import { StatusStore } from '../storage/status-store';
import { WorkerService } from '../worker/worker.service';
import { stateView, type ConnectorInfo, type ConnectorStatusView, type TaskInfo, type TaskStateView } from './connector-views';

/**
 * The herder (Kafka Connect's name): turns REST requests into config-store writes and
 * makes the worker run what the config store says.
 *
 * Contracts:
 * - Every change is written to connect-configs first (and read back) and only then
 *   applied, so what runs always follows the stored config and target state; after a
 *   restart the worker applies every stored connector (PAUSED stays PAUSED, STOPPED
 *   stays STOPPED, RUNNING resumes from its stored offsets).
 * - Changes and their application run one at a time, in request order (a single
 *   queue); REST reads never wait for it. Create/update/state changes answer once the
 *   change is stored; applying it happens right after (status shows progress).
 * - Single worker: this worker runs every connector of its group (no rebalancing
 *   across workers).
 */
@Injectable()
export class HerderService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly configStore: ConfigStore,
    private readonly statusStore: StatusStore,
    private readonly worker: WorkerService,
    private readonly plugins: PluginRegistry,
  ) {
    this.logger = rootLogger.child({ component: 'herder' });
  }

  onApplicationBootstrap(): void {
    for (const name of this.configStore.connectorNames()) this.background(() => this.apply(name));
  }

  /** Shutdown: lets the change in progress finish, drops queued ones, then stops every task and connector. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.queue;
    await this.worker.stopAll();
  }

  connectorNames(): string[] {
    return this.configStore.connectorNames();
  }

  info(name: string): ConnectorInfo {
    const snap = this.snapshot(name);
    return {
      name,
      config: { ...snap.config },
      tasks: snap.taskConfigs.map((_, task) => ({ connector: name, task })),
      type: this.plugins.find(snap.config['connector.class'] ?? '')?.type ?? 'unknown',
    };
  }

  taskInfos(name: string): TaskInfo[] {
    return this.snapshot(name).taskConfigs.map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  status(name: string): ConnectorStatusView {
    const snap = this.snapshot(name);
    return {
      name,
      connector: stateView(this.statusStore.connector(name), this.config.workerId),
      tasks: this.statusStore.taskStatuses(name).map(({ id, status }) => ({ id, ...stateView(status, this.config.workerId) })),
      type: this.plugins.find(snap.config['connector.class'] ?? '')?.type ?? 'unknown',
    };
  }

  taskStatus(name: string, id: number): TaskStateView {
    const snap = this.snapshot(name);
    const status = this.statusStore.task(name, id);
    if (id >= snap.taskConfigs.length && !status) throw ConnectRestError.notFound(`Task ${name}-${id} not found`);
    return { id, ...stateView(status, this.config.workerId) };
  }

  /** `POST /connectors`: 409 when the name exists, 400 when the config is invalid. */
  async create(name: string, config: Record<string, string>, initialState: TargetState = 'STARTED'): Promise<ConnectorInfo> {
    return this.serial(async () => {
      if (this.configStore.connector(name)) throw ConnectRestError.conflict(`Connector ${name} already exists`);
      const full = { ...config, name };
      this.validateOrThrow(full);
      await this.configStore.putConnectorConfig(name, full, initialState === 'STARTED' ? undefined : initialState);
      this.logger.info({ connector: name, initialState }, 'connector created');
      this.background(() => this.apply(name));
      return this.info(name);
    });
  }

  /** `PUT /connectors/{c}/config`: creates (created=true) or replaces the config. */
  async put(name: string, config: Record<string, string>): Promise<{ created: boolean; info: ConnectorInfo }> {
    if (config.name !== undefined && config.name !== name) {
      throw ConnectRestError.badRequest(`Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`);
    }
    return this.serial(async () => {
      const created = !this.configStore.connector(name);
      const full = { ...config, name };
      this.validateOrThrow(full);
      await this.configStore.putConnectorConfig(name, full);
      this.background(() => this.apply(name));
      return { created, info: this.info(name) };
    });
  }

  /** `PATCH /connectors/{c}/config`: merges the patch; a null value removes the key. */
  async patch(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    return this.serial(async () => {
      const snap = this.snapshot(name);
      if (patch.name !== undefined && patch.name !== name) {
        throw ConnectRestError.badRequest(`Connector name configuration (${String(patch.name)}) doesn't match connector name in the URL (${name})`);
      }
      const merged: Record<string, string> = { ...snap.config };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      merged.name = name;
      this.validateOrThrow(merged);
      await this.configStore.putConnectorConfig(name, merged);
      this.background(() => this.apply(name));
      return this.info(name);
    });
  }

  async delete(name: string): Promise<void> {
    await this.serial(async () => {
      this.snapshot(name);
      await this.configStore.removeConnector(name);
      await this.worker.stopTasks(name);
      await this.worker.stopConnector(name);
      this.statusStore.removeConnector(name);
      this.logger.info({ connector: name }, 'connector deleted');
    });
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.serial(async () => {
      this.snapshot(name);
      await this.configStore.putTargetState(name, state);
      this.background(() => this.applyTargetState(name));
    });
  }

  /**
   * `POST /connectors/{c}/restart`. Without flags restarts the connector instance only
   * and returns null (204). With flags marks what restarts as RESTARTING, returns that
   * status (202) and restarts in the background: the connector unless onlyFailed and it
   * is not FAILED; with includeTasks every task (or only the FAILED ones).
   */
  async restart(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<ConnectorStatusView | null> {
    return this.serial(async () => {
      const snap = this.snapshot(name);
      if (!includeTasks && !onlyFailed) {
        this.background(() => this.restartConnectorInstance(name));
        return null;
      }
      const connectorFailed = this.statusStore.connector(name)?.state === 'FAILED';
      const restartConnector = !onlyFailed || connectorFailed;
      const taskIds = includeTasks
        ? snap.taskConfigs.map((_, id) => id).filter((id) => !onlyFailed || this.statusStore.task(name, id)?.state === 'FAILED')
        : [];
      if (snap.targetState === 'STOPPED') return this.status(name);
      if (restartConnector) this.statusStore.putConnector(name, 'RESTARTING');
      for (const id of taskIds) this.statusStore.putTask(name, id, 'RESTARTING');
      const status = this.status(name);
      this.background(async () => {
        if (restartConnector) await this.restartConnectorInstance(name);
        for (const id of taskIds) await this.restartTaskNow(name, id);
      });
      return status;
    });
  }

  /** `POST /connectors/{c}/tasks/{t}/restart`: 404 for an unknown task. */
  async restartTask(name: string, id: number): Promise<void> {
    await this.serial(async () => {
      const snap = this.snapshot(name);
      if (id < 0 || id >= snap.taskConfigs.length) throw ConnectRestError.notFound(`Task ${name}-${id} not found`);
      await this.restartTaskNow(name, id);
    });
  }

  private snapshot(name: string): ConnectorSnapshot {
    const snap = this.configStore.connector(name);
    if (!snap) throw ConnectRestError.connectorNotFound(name);
    return snap;
  }

  private validateOrThrow(config: Record<string, string>): ConnectorPlugin {
    const className = config['connector.class'];
    if (!className) throw ConnectRestError.badRequest(`Connector config ${JSON.stringify(config)} contains no connector type`);
    const plugin = this.plugins.find(className);
    if (!plugin) {
      const available = this.plugins.list().map((p) => p.name);
      throw ConnectRestError.badRequest(`Failed to find any class that implements Connector and which name matches ${className}, available connectors are: ${available.join(', ')}`);
    }
    const result = this.plugins.validate(plugin, config);
    if (result.messages.length > 0) {
      throw ConnectRestError.badRequest(
        `Connector configuration is invalid and contains the following ${result.messages.length} error(s):\n${result.messages.join('\n')}\n` +
          `You can also find the above list of errors at the endpoint \`/connector-plugins/${plugin.name}/config/validate\``,
      );
    }
    return plugin;
  }

  /** Queues a change without waiting for it; its failure is logged, never unhandled. */
  private background(fn: () => Promise<void>): void {
    this.serial(fn).catch((err: unknown) => {
      if (!this.closing) this.logger.error({ err: (err as Error).message, stack: (err as Error).stack }, 'applying a connector change failed');
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closing) throw new ConnectRestError(503, 'The worker is shutting down');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** (Re)starts a connector and its tasks from the stored config and target state. */
  private async apply(name: string): Promise<void> {
    const snap = this.configStore.connector(name);
    await this.worker.stopTasks(name);
    await this.worker.stopConnector(name);
    if (!snap) return;
    if (snap.targetState === 'STOPPED') {
      this.worker.reportConnector(name, 'STOPPED');
      this.statusStore.removeTasks(name);
      if (snap.taskConfigs.length > 0) await this.configStore.putTaskConfigs(name, []);
      return;
    }
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin) {
      this.worker.reportConnector(name, 'FAILED', new Error(`no connector plugin named ${snap.config['connector.class']}`));
      return;
    }
    const paused = snap.targetState === 'PAUSED';
    const validation = this.plugins.validate(plugin, snap.config);
    if (validation.messages.length > 0) {
      this.worker.reportConnector(name, 'FAILED', new Error(`Connector configuration is invalid:\n${validation.messages.join('\n')}`));
      return;
    }
    const started = await this.worker.startConnector(name, plugin, snap.config, validation.parsed, paused, {
      requestTaskReconfiguration: () => this.background(() => this.reconfigure(name)),
      raiseError: (error) => this.worker.reportConnector(name, 'FAILED', error),
    });
    if (!started) return;
    const taskConfigs = await this.generateTaskConfigs(name, snap);
    if (!taskConfigs) return;
    this.statusStore.removeTasks(name, taskConfigs.length);
    await Promise.all(taskConfigs.map((tc, id) => this.worker.startTask(name, id, plugin, snap.config, tc, paused)));
  }

  /** Asks the connector for task configs (stored when they changed); null when it failed. */
  private async generateTaskConfigs(name: string, snap: ConnectorSnapshot): Promise<Record<string, string>[] | null> {
    let taskConfigs: Record<string, string>[];
    try {
      taskConfigs = await this.worker.taskConfigs(name, Math.max(1, Number(snap.config['tasks.max'] ?? '1')));
    } catch (err) {
      this.worker.reportConnector(name, 'FAILED', err);
      await this.worker.stopConnector(name);
      return null;
    }
    if (JSON.stringify(taskConfigs) !== JSON.stringify(snap.taskConfigs)) await this.configStore.putTaskConfigs(name, taskConfigs);
    return taskConfigs;
  }

  private async applyTargetState(name: string): Promise<void> {
    const snap = this.configStore.connector(name);
    if (!snap) return;
    if (snap.targetState === 'STOPPED' || !this.worker.isConnectorRunning(name)) {
      await this.apply(name);
      return;
    }
    if (snap.targetState === 'PAUSED') {
      await this.worker.pauseTasks(name);
      this.worker.reportConnector(name, 'PAUSED');
    } else {
      await this.worker.resumeTasks(name);
      this.worker.reportConnector(name, 'RUNNING');
    }
  }

  private async reconfigure(name: string): Promise<void> {
    const snap = this.configStore.connector(name);
    if (!snap || snap.targetState === 'STOPPED' || !this.worker.isConnectorRunning(name)) return;
    const before = JSON.stringify(snap.taskConfigs);
    const taskConfigs = await this.generateTaskConfigs(name, snap);
    if (taskConfigs && JSON.stringify(taskConfigs) !== before) await this.apply(name);
  }

  private async restartConnectorInstance(name: string): Promise<void> {
    const snap = this.configStore.connector(name);
    if (!snap || snap.targetState === 'STOPPED') return;
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin) return;
    const validation = this.plugins.validate(plugin, snap.config);
    const started = await this.worker.startConnector(name, plugin, snap.config, validation.parsed, snap.targetState === 'PAUSED', {
      requestTaskReconfiguration: () => this.background(() => this.reconfigure(name)),
      raiseError: (error) => this.worker.reportConnector(name, 'FAILED', error),
    });
    if (!started) return;
    const before = JSON.stringify(snap.taskConfigs);
    const taskConfigs = await this.generateTaskConfigs(name, snap);
    if (taskConfigs && (JSON.stringify(taskConfigs) !== before || this.worker.runningTaskIds(name).length !== taskConfigs.length)) {
      this.statusStore.removeTasks(name, taskConfigs.length);
      await Promise.all(taskConfigs.map((tc, id) => this.worker.startTask(name, id, plugin, snap.config, tc, snap.targetState === 'PAUSED')));
    }
  }

  private async restartTaskNow(name: string, id: number): Promise<void> {
    const snap = this.configStore.connector(name);
    if (!snap || snap.targetState === 'STOPPED' || id >= snap.taskConfigs.length) return;
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin) return;
    await this.worker.startTask(name, id, plugin, snap.config, snap.taskConfigs[id], snap.targetState === 'PAUSED');
  }
}
