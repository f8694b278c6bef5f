import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ClusterMembershipService } from '../distributed/cluster-membership.service';
import { ConnectRestError } from '../http/connect-rest-error';
import { PluginRegistry } from '../plugins/plugin-registry';
import { SecretsService } from '../secrets/secrets.service';
import { ConfigStore, type ConnectorSnapshot, type TargetState } from '../storage/config-store';
import { StatusStore } from '../storage/status-store';
import { AssignedWorkService } from './assigned-work.service';
import { stateView, type ConnectorInfo, type ConnectorStatusView, type TaskInfo, type TaskStateView } from './connector-views';

/**
 * The herder (Kafka Connect's name), REST side: turns REST requests into config-store
 * writes and answers reads from the stores' views. What runs where follows from the
 * stored configs: AssignedWorkService applies them to the work the group assigned to
 * this worker (on every worker, from the config topic).
 *
 * Contracts:
 * - Every change is written to connect-configs (and read back) before the request is
 *   answered; writes are serialised (the existence check of a create and its write are
 *   one step) but wait for nothing except that write: never for a connector's start,
 *   stop, validation I/O or retries. REST reads never wait.
 * - In a cluster the REST layer forwards writes to the leader (rest/leader-forwarding);
 *   a write served here is still safe: connect-configs has one partition, so every
 *   worker applies the same writes in the same order.
 * - A pause answers once the runners on this worker were told and none of them still
 *   commits a batch, and (at most PAUSE_SETTLE_MS) once the tasks on other workers,
 *   which hear it when they read the record, report PAUSED.
 * - Restarts are requests in connect-configs, carried out by the worker running the
 *   connector or task.
 */
/** How long a DELETE waits for this worker's tasks of the connector to stop (a stuck one does not hold it longer). */
const DELETE_SETTLE_MS = 5_000;
/** How long a pause waits for the connector's tasks on every worker to report PAUSED (REST answers stay within a second). */
const PAUSE_SETTLE_MS = 800;

@Injectable()
export class HerderService implements BeforeApplicationShutdown {
  private writes: Promise<unknown> = Promise.resolve();
  private closing = false;

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    private readonly configStore: ConfigStore,
    private readonly statusStore: StatusStore,
    private readonly plugins: PluginRegistry,
    private readonly work: AssignedWorkService,
    private readonly membership: ClusterMembershipService,
    private readonly secrets: SecretsService,
  ) {}

  /** Shutdown: no rebalance anymore, every local task and connector stopped, statuses written, then the group left. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.writes;
    await this.membership.stop();
    await this.work.close();
    await this.statusStore.flush();
    await this.membership.leave();
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
      return this.info(name);
    });
  }

  /**
   * `DELETE /connectors/{c}`: the workers running it stop it when they read the deletion;
   * the answer waits (at most DELETE_SETTLE_MS) until this worker stopped its part.
   */
  async delete(name: string): Promise<void> {
    await this.serial(async () => {
      this.snapshot(name);
      await this.configStore.removeConnector(name);
    });
    await this.work.settled(name, DELETE_SETTLE_MS);
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.serial(async () => {
      this.snapshot(name);
      await this.configStore.putTargetState(name, state);
    });
    if (state === 'PAUSED') {
      await this.work.pauseLocal(name);
      await this.tasksReport(name, 'PAUSED', PAUSE_SETTLE_MS);
    }
  }

  /**
   * Waits (at most timeoutMs) until every task of the connector reports `state` or is not
   * running at all (FAILED, UNASSIGNED, STOPPED): tasks on other workers pause when they read the
   * target state and report PAUSED once quiet, so in a cluster a pause answered through
   * any worker has taken effect everywhere unless a worker is unreachable.
   */
  private async tasksReport(name: string, state: 'PAUSED', timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const settled = () => this.statusStore.taskStatuses(name).every(({ status }) => status.state === state || status.state === 'FAILED' || status.state === 'UNASSIGNED' || status.state === 'STOPPED');
    while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /**
   * `POST /connectors/{c}/restart`. Without flags restarts the connector instance only
   * and returns null (204). With flags returns the status with what restarts marked
   * RESTARTING (202): the connector unless onlyFailed and it is not FAILED; with
   * includeTasks every task (or only the FAILED ones). The owners restart them.
   */
  async restart(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<ConnectorStatusView | null> {
    return this.serial(async () => {
      const snap = this.snapshot(name);
      if (!includeTasks && !onlyFailed) {
        await this.configStore.putRestartRequest(name, { includeTasks: false, onlyFailed: false });
        return null;
      }
      const status = this.status(name);
      if (snap.targetState === 'STOPPED') return status;
      const restartConnector = !onlyFailed || status.connector.state === 'FAILED';
      const tasks = status.tasks.map((t) => (includeTasks && (!onlyFailed || t.state === 'FAILED') ? { id: t.id, state: 'RESTARTING' as const, worker_id: t.worker_id } : t));
      await this.configStore.putRestartRequest(name, { includeTasks, onlyFailed });
      return { ...status, connector: restartConnector ? { state: 'RESTARTING', worker_id: status.connector.worker_id } : status.connector, tasks };
    });
  }

  /** `POST /connectors/{c}/tasks/{t}/restart`: 404 for an unknown task. */
  async restartTask(name: string, id: number): Promise<void> {
    await this.serial(async () => {
      const snap = this.snapshot(name);
      if (id < 0 || id >= snap.taskConfigs.length) throw ConnectRestError.notFound(`Task ${name}-${id} not found`);
      await this.configStore.putRestartRequest(name, { task: id });
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
    const result = this.secrets.validate(plugin, config);
    if (result.messages.length > 0) {
      throw ConnectRestError.badRequest(
        `Connector configuration is invalid and contains the following ${result.messages.length} error(s):\n${result.messages.join('\n')}\n` +
          `You can also find the above list of errors at the endpoint \`/connector-plugins/${plugin.name}/config/validate\``,
      );
    }
    return plugin;
  }

  /** Runs config writes one at a time (they wait for no connector). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(() => {
      if (this.closing) throw new ConnectRestError(503, 'The worker is shutting down');
      return fn();
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}
