import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ROOT_LOGGER } from '@millrace/app-common';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ConfigStore } from '../storage/config-store';
import { StatusStore } from '../storage/status-store';
import { assignWork, CONNECT_PROTOCOL_NAME, decodeAssignment, decodeMetadata, encodeJson, type TaskId, type WorkerAssignment } from './connect-assignor';
import { GroupMember, RejoinNeededError, type JoinedMember } from './group-member';
import { SessionLiveness } from './session-liveness';

/** The side of the herder the membership drives. */
export interface AssignmentListener {
  /** Work this worker runs now (reported to the leader when joining). */
  running(): { connectors: string[]; tasks: TaskId[] };
  /**
   * A new generation's assignment: resolves once the work no longer assigned is
   * stopped; starting the new work may go on in the background.
   */
  onAssignment(assignment: WorkerAssignment, generation: number): Promise<void>;
  /** The worker lost its membership (session expired): stop everything before rejoining. */
  onLost(): Promise<void>;
}

/** The protocol type of Kafka Connect's worker groups. */
const PROTOCOL_TYPE = 'connect';

/**
 * This worker's membership of the connect cluster (workers sharing `group.id`), through
 * the Kafka group protocol: Kafka Connect's WorkerCoordinator.
 *
 * Contracts:
 * - From application bootstrap on the worker is in the group or (re)joining it: each
 *   round reports its URL, config topic position and running work; the leader reads the
 *   config topic to its end and assigns every connector and its committed tasks
 *   (assignWork); every member waits until its config reader reached the leader's
 *   offset before handing the assignment to the listener.
 * - A rebalance starts when any member joins, leaves or misses its session, and when
 *   `requestRejoin` is called (the herder does on connector creation/deletion and task
 *   count changes). Work moves between live workers in two rounds (stopped first, then
 *   given), so no task runs on two workers at once.
 * - Losing the group (the coordinator answers UNKNOWN_MEMBER_ID) stops all local work
 *   before rejoining. While the coordinator cannot be reached the work goes on, but
 *   `isLive` is false from the moment the session may have expired, which fences source
 *   commits (they wait) until a heartbeat is answered again or the loss is known.
 * - `leaderUrl` is the leader of the last generation (null before the first one).
 */
@Injectable()
export class ClusterMembershipService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly member: GroupMember;
  private listener: AssignmentListener | null = null;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private rejoinRequested = false;
  private wake: (() => void) | null = null;
  private readonly liveness: SessionLiveness;
  private fencedLogged = false;
  private current: { generation: number; leaderUrl: string; isLeader: boolean } | null = null;

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly configStore: ConfigStore,
    private readonly statusStore: StatusStore,
  ) {
    this.logger = rootLogger.child({ component: 'membership' });
    this.liveness = new SessionLiveness(config.sessionTimeoutMs);
    this.member = new GroupMember({
      bootstrap: config.bootstrap,
      groupId: config.groupId,
      protocolType: PROTOCOL_TYPE,
      protocolName: CONNECT_PROTOCOL_NAME,
      sessionTimeoutMs: config.sessionTimeoutMs,
      rebalanceTimeoutMs: config.rebalanceTimeoutMs,
      clientId: `millrace-connect-${config.workerId}`,
    });
  }

  /** The herder registers itself before bootstrap. */
  setListener(listener: AssignmentListener): void {
    this.listener = listener;
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /** Only ends the loop: the herder leaves the group once it stopped its work (never before). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Ends the join/heartbeat loop, aborting a pending join (the herder stops its work, then calls `leave`). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.member.close();
    await this.loop;
  }

  async leave(): Promise<void> {
    await this.member.leave();
  }

  get leaderUrl(): string | null {
    return this.current?.leaderUrl ?? null;
  }

  get isLeader(): boolean {
    return this.current?.isLeader ?? false;
  }

  get generation(): number {
    return this.current?.generation ?? 0;
  }

  /** True while this worker is a member whose session cannot have expired yet (SessionLiveness). */
  isLive(): boolean {
    return this.liveness.isLive();
  }

  /** Starts a rebalance soon (configs changed); safe to call often. */
  requestRejoin(): void {
    this.rejoinRequested = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let backoff = 200;
    while (!this.stopped) {
      try {
        this.rejoinRequested = false;
        this.liveness.joinStarted();
        const generation = await this.member.join(this.metadata(), (members) => this.assign(members)).catch((err: unknown) => {
          this.liveness.joinEnded();
          throw err;
        });
        this.liveness.joinEnded(generation.sentAt);
        if (this.stopped) return;
        const assignment = decodeAssignment(generation.assignment);
        this.current = { generation: generation.generationId, leaderUrl: assignment.leaderUrl, isLeader: generation.leaderId === generation.memberId };
        this.statusStore.setGeneration(generation.generationId);
        this.logger.info(
          { generation: generation.generationId, leader: this.current.isLeader, connectors: assignment.connectors.length, tasks: assignment.tasks.length, rejoin: assignment.rejoin },
          'joined the connect cluster',
        );
        await this.configStore.waitForPosition(assignment.configOffset);
        await this.listener?.onAssignment(assignment, generation.generationId);
        backoff = 200;
        if (assignment.rejoin) continue;
        await this.heartbeatUntilRejoin();
      } catch (err) {
        if (this.stopped) return;
        const message = (err as Error).message;
        if (err instanceof RejoinNeededError) this.logger.info({ err: message }, 'rejoining the connect cluster');
        else this.logger.warn({ err: message, retryInMs: backoff }, 'joining the connect cluster failed; retrying');
        const expelled = err instanceof RejoinNeededError && err.resetMemberId;
        if (this.liveness.member && expelled) await this.lose();
        await this.sleep(err instanceof RejoinNeededError ? 0 : backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Heartbeats every heartbeat.interval.ms until a rebalance is due or the membership is lost. */
  private async heartbeatUntilRejoin(): Promise<void> {
    while (!this.stopped && !this.rejoinRequested) {
      await this.sleep(this.config.heartbeatIntervalMs);
      if (this.stopped || this.rejoinRequested) return;
      const { outcome, sentAt } = await this.member.heartbeat(this.config.sessionTimeoutMs);
      if (outcome === 'ok') {
        this.liveness.heartbeatAnswered(sentAt);
        this.fencedLogged = false;
      }
      else if (outcome === 'rebalance') return;
      else if (outcome === 'unknown-member') {
        this.logger.warn('the group no longer knows this worker (session expired); stopping its work before rejoining');
        await this.lose();
        return;
      } else if (!this.isLive() && !this.fencedLogged) {
        // the coordinator is unreachable: the work goes on (sources cannot commit) until it
        // answers again, as Kafka Connect's workers do; it tells whether the session survived
        this.fencedLogged = true;
        this.logger.warn('no heartbeat answered within the session timeout; source commits are fenced until the group answers');
      }
    }
  }

  private async lose(): Promise<void> {
    this.liveness.lost();
    await this.listener?.onLost();
  }

  private metadata(): Buffer {
    const running = this.listener?.running() ?? { connectors: [], tasks: [] };
    return encodeJson({ url: this.config.advertisedUrl, configOffset: this.configStore.position(), connectors: running.connectors, tasks: running.tasks });
  }

  /** The leader's assignor: every connector and its committed tasks, from a config view read to the end. */
  private async assign(members: readonly JoinedMember[]): Promise<Map<string, Buffer>> {
    await this.configStore.readToEnd();
    const connectors = this.configStore.connectorNames();
    const tasks: TaskId[] = [];
    for (const name of connectors) {
      const count = this.configStore.connector(name)?.taskConfigs.length ?? 0;
      for (let task = 0; task < count; task++) tasks.push({ connector: name, task });
    }
    const decoded = members.map((m) => ({ memberId: m.memberId, metadata: decodeMetadata(m.metadata) }));
    const self = decoded.find((m) => m.memberId === this.member.memberId);
    const assignments = assignWork(decoded, { connectors, tasks }, { memberId: this.member.memberId, url: self?.metadata.url ?? this.config.advertisedUrl, configOffset: this.configStore.position() });
    return new Map([...assignments].map(([id, a]) => [id, encodeJson(a)]));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }
}
