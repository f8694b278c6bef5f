import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { ROOT_LOGGER } from '@millrace/app-common';
import type { Logger } from 'pino';
import { ClusterMembershipService, type AssignmentListener } from '../distributed/cluster-membership.service';
import { taskKey, type TaskId, type WorkerAssignment } from '../distributed/connect-assignor';
import { PluginRegistry } from '../plugins/plugin-registry';
import { ConfigStore } from '../storage/config-store';
import { StatusStore } from '../storage/status-store';
import { WorkerService } from '../worker/worker.service';
import { KeyedQueues } from './keyed-queues';

/** How long a rebalance waits for revoked work to stop (Kafka's task.shutdown.graceful.timeout.ms). */
const STOP_TIMEOUT_MS = 5_000;
/** How soon a connector whose task configs could not be written (membership not live) tries again. */
const TASK_CONFIG_RETRY_MS = 1_000;

/**
 * Runs the work the group assigned to this worker, and follows connect-configs for it:
 * the worker half of Kafka Connect's DistributedHerder.
 *
 * Contracts:
 * - Per connector one queue (KeyedQueues): starting, stopping, restarting and task
 *   config generation of one connector never wait for another connector; nothing here
 *   runs on a REST request's path.
 * - Assignment: revoked work is stopped (bounded by STOP_TIMEOUT_MS per item) and its
 *   statuses flushed before `onAssignment` resolves (so before the worker rejoins and
 *   the next owner starts it); new work is queued. A job re-checks, before and after
 *   its I/O, that the work is still assigned, and stops what it started otherwise.
 * - Fencing: a task's runner may commit from its start until its stop finished (or the
 *   stop timed out), only while the membership is live, and only while it is the runner
 *   last started for the task (a runner given up by a timed-out stop never commits).
 * - Config records (read by every worker, own writes included) are applied to local
 *   work: target states at once on the local runners (a pause is in effect when the
 *   listener returns), config and task-config changes by restarting what is affected,
 *   restart requests by the owner; a connector created or deleted, or a task count
 *   change, asks for a rebalance.
 * - The owner of a connector writes its task configs (the connector is the only one to
 *   generate them, and runs on one worker at a time), fenced as source commits are: only
 *   while the membership is live (otherwise it tries again every TASK_CONFIG_RETRY_MS
 *   while it still owns the connector). Kafka forwards them to the leader instead; the
 *   fence gives the same guarantee without a second REST hop.
 */
@Injectable()
export class AssignedWorkService implements AssignmentListener, OnModuleInit, OnApplicationBootstrap {
  private readonly logger: Logger;
  private readonly queues = new KeyedQueues();
  /** Connectors and tasks of the current assignment. */
  private readonly wantedConnectors = new Set<string>();
  private readonly wantedTasks = new Map<string, TaskId>();
  /** Tasks this worker may be running (fence open): started and not yet stopped. */
  private readonly holding = new Map<string, TaskId>();
  /** The token of the runner last started for a task: only that runner may commit. */
  private readonly runnerTokens = new Map<string, object>();
  private readonly knownTaskConfigs = new Map<string, string[]>();
  private closing = false;

  constructor(
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly configStore: ConfigStore,
    private readonly statusStore: StatusStore,
    private readonly worker: WorkerService,
    private readonly plugins: PluginRegistry,
    private readonly membership: ClusterMembershipService,
  ) {
    this.logger = rootLogger.child({ component: 'herder' });
  }

  onModuleInit(): void {
    this.membership.setListener(this);
    this.configStore.addListener((key, value) => this.onConfigRecord(key, value));
  }

  onApplicationBootstrap(): void {
    for (const name of this.configStore.connectorNames()) this.rememberTaskConfigs(name);
  }

  /**
   * Stops every local connector and task (shutdown); later assignments are ignored. Jobs
   * in flight get STOP_TIMEOUT_MS to finish (a connector stuck opening a connection
   * does not hold the shutdown).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.wantedConnectors.clear();
    this.wantedTasks.clear();
    await withTimeout(this.queues.idle(), STOP_TIMEOUT_MS);
    await this.worker.stopAll();
    this.holding.clear();
  }

  running(): { connectors: string[]; tasks: TaskId[] } {
    return { connectors: [...this.wantedConnectors].sort(), tasks: [...this.holding.values()] };
  }

  /** Whether the runner started with `token` may commit: still the task's current runner, held by a live member. */
  private owns(task: TaskId, token: object): boolean {
    const key = taskKey(task);
    return this.membership.isLive() && this.holding.has(key) && this.runnerTokens.get(key) === token;
  }

  async onAssignment(assignment: WorkerAssignment): Promise<void> {
    if (this.closing) return;
    const connectors = new Set(assignment.connectors);
    const tasks = new Map(assignment.tasks.map((t) => [taskKey(t), t]));
    const revokedConnectors = [...this.wantedConnectors].filter((c) => !connectors.has(c));
    const revokedTasks = [...this.holding.entries()].filter(([k]) => !tasks.has(k)).map(([, t]) => t);
    for (const c of revokedConnectors) this.wantedConnectors.delete(c);
    for (const k of [...this.wantedTasks.keys()]) if (!tasks.has(k)) this.wantedTasks.delete(k);
    await Promise.all([...revokedTasks.map((t) => this.stopTaskBounded(t)), ...revokedConnectors.map((c) => this.stopConnectorBounded(c))]);
    await this.statusStore.flush();
    for (const c of connectors) {
      if (this.wantedConnectors.has(c)) continue;
      this.wantedConnectors.add(c);
      this.enqueue(c, () => this.startConnector(c));
    }
    for (const [k, t] of tasks) {
      if (this.wantedTasks.has(k)) continue;
      this.wantedTasks.set(k, t);
      this.enqueue(t.connector, () => this.startTask(t));
    }
  }

  async onLost(): Promise<void> {
    const tasks = [...this.holding.values()];
    const connectors = [...this.wantedConnectors];
    this.wantedConnectors.clear();
    this.wantedTasks.clear();
    await Promise.all([...tasks.map((t) => this.stopTaskBounded(t)), ...connectors.map((c) => this.stopConnectorBounded(c))]);
    await this.statusStore.flush();
  }

  /** Resolves once the connector's queued jobs on this worker finished, or after timeoutMs. */
  async settled(name: string, timeoutMs: number): Promise<void> {
    await withTimeout(this.queues.drained(name), timeoutMs);
  }

  /** Pauses the local tasks of a connector; resolves once none of them commits anymore. */
  async pauseLocal(name: string): Promise<void> {
    await this.worker.pauseTasks(name);
  }

  private onConfigRecord(key: string, value: string | null): void {
    if (this.closing) return;
    let m: RegExpExecArray | null;
    if (key.startsWith('connector-')) this.onConnectorRecord(key.slice('connector-'.length), value === null);
    else if (key.startsWith('target-state-')) this.onTargetState(key.slice('target-state-'.length));
    else if (key.startsWith('commit-')) this.onTaskCommit(key.slice('commit-'.length));
    else if (key.startsWith('restart-connector-') && value !== null) this.onRestart(key.slice('restart-connector-'.length), JSON.parse(value) as Record<string, unknown>);
    else if ((m = /^restart-task-(.*)-(\d+)$/.exec(key)) !== null) this.onTaskRestart({ connector: m[1], task: Number(m[2]) });
  }

  private onConnectorRecord(name: string, deleted: boolean): void {
    if (deleted) {
      this.knownTaskConfigs.delete(name);
      this.wantedConnectors.delete(name);
      const tasks = [...this.holding.values()].filter((t) => t.connector === name);
      for (const t of tasks) this.wantedTasks.delete(taskKey(t));
      this.enqueue(name, async () => {
        await this.worker.stopTasks(name);
        await this.worker.stopConnector(name);
        for (const t of tasks) this.holding.delete(taskKey(t));
        this.statusStore.removeConnector(name);
      });
      this.membership.requestRejoin();
      return;
    }
    if (!this.knownTaskConfigs.has(name)) {
      this.rememberTaskConfigs(name);
      this.membership.requestRejoin();
      return;
    }
    if (this.wantedConnectors.has(name)) this.enqueue(name, () => this.startConnector(name));
  }

  private onTargetState(name: string): void {
    const snap = this.configStore.connector(name);
    if (!snap) return;
    const owner = this.wantedConnectors.has(name);
    if (snap.targetState === 'PAUSED') {
      void this.worker.pauseTasks(name);
      if (owner && this.worker.isConnectorRunning(name)) this.statusStore.putConnector(name, 'PAUSED');
    } else if (snap.targetState === 'STARTED') {
      void this.worker.resumeTasks(name);
      if (owner) {
        if (this.worker.isConnectorRunning(name)) this.statusStore.putConnector(name, 'RUNNING');
        else this.enqueue(name, () => this.startConnector(name));
      }
      const idle = [...this.wantedTasks.values()].filter((t) => t.connector === name && !this.holding.has(taskKey(t)));
      for (const t of idle) this.enqueue(name, () => this.startTask(t));
    } else {
      const local = [...this.holding.values()].filter((t) => t.connector === name);
      for (const t of local) this.enqueue(name, () => this.stopTask(t, true));
      if (owner) this.enqueue(name, () => this.startConnector(name));
    }
  }

  private onTaskCommit(name: string): void {
    const before = this.knownTaskConfigs.get(name) ?? [];
    const after = this.rememberTaskConfigs(name);
    if (after.length !== before.length) this.membership.requestRejoin();
    for (const t of this.wantedTasks.values()) {
      if (t.connector !== name || t.task >= after.length || after[t.task] === before[t.task]) continue;
      this.enqueue(name, () => this.startTask(t));
    }
  }

  private onRestart(name: string, request: Record<string, unknown>): void {
    const onlyFailed = request['only-failed'] === true;
    if (this.wantedConnectors.has(name) && (!onlyFailed || this.statusStore.connector(name)?.state === 'FAILED')) {
      this.statusStore.putConnector(name, 'RESTARTING');
      this.enqueue(name, () => this.startConnector(name));
    }
    if (request['include-tasks'] !== true) return;
    for (const t of this.wantedTasks.values()) {
      if (t.connector !== name || (onlyFailed && this.statusStore.task(name, t.task)?.state !== 'FAILED')) continue;
      this.statusStore.putTask(name, t.task, 'RESTARTING');
      this.enqueue(name, () => this.startTask(t));
    }
  }

  private onTaskRestart(task: TaskId): void {
    if (this.wantedTasks.has(taskKey(task))) this.enqueue(task.connector, () => this.startTask(task));
  }

  /** (Re)starts an assigned connector from the stored config and target state, then its task configs. */
  private async startConnector(name: string): Promise<void> {
    await this.worker.stopConnector(name);
    const snap = this.configStore.connector(name);
    if (!snap || !this.wantedConnectors.has(name)) return;
    if (snap.targetState === 'STOPPED') {
      this.statusStore.putConnector(name, 'STOPPED');
      if (snap.taskConfigs.length > 0) await this.configStore.putTaskConfigs(name, []);
      this.statusStore.removeTasks(name);
      return;
    }
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin) {
      this.statusStore.putConnector(name, 'FAILED', new Error(`no connector plugin named ${snap.config['connector.class']}`));
      return;
    }
    const validation = this.plugins.validate(plugin, snap.config);
    if (validation.messages.length > 0) {
      this.statusStore.putConnector(name, 'FAILED', new Error(`Connector configuration is invalid:\n${validation.messages.join('\n')}`));
      return;
    }
    const started = await this.worker.startConnector(name, plugin, snap.config, validation.parsed, snap.targetState === 'PAUSED', {
      requestTaskReconfiguration: () => this.enqueue(name, () => this.generateTaskConfigs(name)),
      raiseError: (error) => this.statusStore.putConnector(name, 'FAILED', error),
    });
    if (!started) return;
    if (!this.wantedConnectors.has(name)) {
      await this.worker.stopConnector(name);
      return;
    }
    await this.generateTaskConfigs(name);
  }

  /** Asks the running connector for task configs and stores them when they changed. */
  private async generateTaskConfigs(name: string): Promise<void> {
    const snap = this.configStore.connector(name);
    if (!snap || snap.targetState === 'STOPPED' || !this.worker.isConnectorRunning(name) || !this.wantedConnectors.has(name)) return;
    let taskConfigs: Record<string, string>[];
    try {
      taskConfigs = await this.worker.taskConfigs(name, Math.max(1, Number(snap.config['tasks.max'] ?? '1')));
    } catch (err) {
      this.statusStore.putConnector(name, 'FAILED', err);
      await this.worker.stopConnector(name);
      return;
    }
    if (!this.wantedConnectors.has(name)) return;
    const current = this.configStore.connector(name);
    if (!current || JSON.stringify(taskConfigs) === JSON.stringify(current.taskConfigs)) return;
    // Written only while this worker's membership is live (the fence of source commits):
    // a worker frozen past its session may no longer own the connector; it tries again
    // once the group confirmed it (or gave the connector to another worker).
    if (!this.membership.isLive()) {
      setTimeout(() => this.enqueue(name, () => this.generateTaskConfigs(name)), TASK_CONFIG_RETRY_MS).unref();
      return;
    }
    await this.configStore.putTaskConfigs(name, taskConfigs);
  }

  /** (Re)starts an assigned task with its committed config; the fence opens before it starts. */
  private async startTask(t: TaskId): Promise<void> {
    const key = taskKey(t);
    const snap = this.configStore.connector(t.connector);
    if (!this.wantedTasks.has(key) || !snap || snap.targetState === 'STOPPED' || t.task >= snap.taskConfigs.length) return;
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin) return;
    this.holding.set(key, t);
    // a runner given up by a timed-out stop keeps its old token: it never commits again
    const token = {};
    this.runnerTokens.set(key, token);
    await this.worker.startTask(t.connector, t.task, plugin, snap.config, snap.taskConfigs[t.task], snap.targetState === 'PAUSED', () => this.owns(t, token));
    if (!this.wantedTasks.has(key)) {
      await this.stopTask(t, false);
      return;
    }
    if (this.configStore.connector(t.connector)?.targetState === 'PAUSED') await this.worker.pauseTasks(t.connector);
  }

  /** Stops a local task; its status goes when the task no longer exists, UNASSIGNED when it only moves. */
  private async stopTask(t: TaskId, keepStatus: boolean): Promise<void> {
    await this.worker.stopTask(t.connector, t.task);
    this.holding.delete(taskKey(t));
    if (keepStatus) return;
    const count = this.configStore.connector(t.connector)?.taskConfigs.length ?? 0;
    if (t.task >= count) this.statusStore.removeTasks(t.connector, t.task);
    else if (this.statusStore.task(t.connector, t.task)?.state !== 'FAILED') this.statusStore.putTask(t.connector, t.task, 'UNASSIGNED');
  }

  private async stopTaskBounded(t: TaskId): Promise<void> {
    const stopped = this.queues.run(t.connector, () => this.stopTask(t, false));
    if (!(await withTimeout(stopped, STOP_TIMEOUT_MS))) {
      this.logger.warn({ connector: t.connector, task: t.task }, 'task did not stop in time; giving it up (its commits are fenced)');
      this.holding.delete(taskKey(t));
    }
  }

  private async stopConnectorBounded(name: string): Promise<void> {
    const stopped = this.queues.run(name, () => this.worker.stopConnector(name));
    if (!(await withTimeout(stopped, STOP_TIMEOUT_MS))) this.logger.warn({ connector: name }, 'connector did not stop in time; giving it up');
  }

  private rememberTaskConfigs(name: string): string[] {
    const configs = (this.configStore.connector(name)?.taskConfigs ?? []).map((c) => JSON.stringify(c));
    this.knownTaskConfigs.set(name, configs);
    return configs;
  }

  /** Queues a job on the connector's queue; its failure is logged, never unhandled. */
  private enqueue(name: string, job: () => Promise<void>): void {
    this.queues.run(name, job).catch((err: unknown) => {
      if (!this.closing) this.logger.error({ connector: name, err: (err as Error).message, stack: (err as Error).stack }, 'applying a connector change failed');
    });
  }
}

/** True when `p` settled within `ms` (its outcome is ignored). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = p.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return result;
}
