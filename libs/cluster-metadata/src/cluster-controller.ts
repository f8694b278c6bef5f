import type { ControllerInfo, PartitionState, VersionedPartitionState } from './cluster-types';
import { ControllerFencedError, type ClusterMetadataStore, type Watcher } from './cluster-metadata-store';
import { decideElection, electLeader, electPreferredLeader, type ElectionRefusal, type ElectionType } from './leader-election';
import { PartitionReassigner, type OngoingReassignment, type ReassignRequest, type ReassignResult } from './partition-reassigner';

/** How often the controller checks whether reassignments in progress can complete. */
const REASSIGNMENT_CHECK_MS = 250;

/** One partition's outcome of ElectLeaders: elected (null), refused, unknown, or this broker lost the controller role. */
export interface ElectionResult {
  readonly topic: string;
  readonly partition: number;
  readonly error: ElectionRefusal | 'unknown-topic-or-partition' | 'not-controller' | null;
}

export interface ControllerLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface ClusterControllerOptions {
  /** unclean.leader.election.enable for a topic (default: false for every topic). */
  uncleanLeaderElection?: (topic: string) => boolean;
  logger: ControllerLogger;
  /** Called once when a write was refused because another controller was elected. */
  onFenced?: () => void;
  /**
   * auto.leader.rebalance.enable with leader.imbalance.check.interval: every this many ms
   * each partition whose preferred replica (the first) is live and in sync but does not
   * lead is given back to it. 0 or absent: off.
   */
  preferredLeaderCheckMs?: number;
}

/**
 * The controller's duty on broker failure and return (Kafka's controller reacting to
 * broker registrations): whenever the set of live brokers changes, every partition's
 * leadership is re-decided by `electLeader` (leader-election.ts) and written with
 * compare-and-swap, fenced by this controller's epoch. A write that finds the record
 * changed (a leader changing its ISR meanwhile) re-reads it and decides again; a write
 * refused because this controller was superseded stops the controller (`onFenced`).
 *
 * Reconciliations run one at a time, always for the newest broker set; the brokers
 * learn the outcome by watching the partition records.
 */
export class ClusterController {
  private watcher: Watcher | null = null;
  private running: Promise<void> = Promise.resolve();
  private pendingLive: Set<number> | null = null;
  private lastLive: Set<number> | null = null;
  private preferredTimer: NodeJS.Timeout | null = null;
  private reassignTimer: NodeJS.Timeout | null = null;
  /** Whether a reassignment may be in progress (true at start: a predecessor may have left some). */
  private reassigning = true;
  private readonly reassigner: PartitionReassigner;
  private stopped = false;

  constructor(
    private readonly store: ClusterMetadataStore,
    readonly controller: ControllerInfo,
    private readonly opts: ClusterControllerOptions,
  ) {
    this.reassigner = new PartitionReassigner(store, controller, opts.logger);
  }

  /** Reconciles with the brokers live now, then after every registration change. */
  async start(): Promise<void> {
    this.watcher = await this.store.watchBrokers((brokers) => this.schedule(new Set(brokers.map((b) => b.nodeId))));
    const { brokers } = await this.store.listBrokers();
    this.schedule(new Set(brokers.map((b) => b.nodeId)));
    const every = this.opts.preferredLeaderCheckMs ?? 0;
    if (every > 0) {
      this.preferredTimer = setInterval(() => {
        const live = this.lastLive;
        if (live && !this.stopped) this.running = this.running.then(() => this.rebalance(live)).catch((err: unknown) => this.opts.logger.warn(`preferred leader election failed: ${(err as Error).message}`));
      }, every);
      this.preferredTimer.unref();
    }
    this.reassignTimer = setInterval(() => {
      const live = this.lastLive;
      if (live && this.reassigning && !this.stopped) void this.exclusive(() => this.progressReassignments(live)).catch(() => undefined);
    }, REASSIGNMENT_CHECK_MS);
    this.reassignTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.preferredTimer) clearInterval(this.preferredTimer);
    if (this.reassignTimer) clearInterval(this.reassignTimer);
    await this.watcher?.cancel().catch(() => undefined);
    this.watcher = null;
  }

  /** Resolves when the reconciliations scheduled so far have finished. */
  idle(): Promise<void> {
    return this.running;
  }

  private schedule(live: Set<number>): void {
    const first = this.pendingLive === null;
    this.pendingLive = live;
    if (!first) return;
    this.running = this.running.then(async () => {
      const current = this.pendingLive;
      this.pendingLive = null;
      if (current) this.lastLive = current;
      if (current && !this.stopped) await this.reconcile(current).catch((err: unknown) => this.opts.logger.warn(`controller reconciliation failed: ${(err as Error).message}`));
    });
  }

  private async reconcile(live: Set<number>): Promise<void> {
    const topics = await this.store.listTopics();
    const { partitions } = await this.store.listPartitions();
    for (const read of partitions) {
      if (this.stopped) return;
      const replicas = topics.get(read.topic)?.replicas[read.partition];
      if (replicas) await this.decide(read, replicas, live);
    }
  }

  /** Preferred-leader election over every partition (see ClusterControllerOptions.preferredLeaderCheckMs). */
  private async rebalance(live: Set<number>): Promise<void> {
    const topics = await this.store.listTopics();
    const { partitions } = await this.store.listPartitions();
    for (const read of partitions) {
      if (this.stopped) return;
      const replicas = topics.get(read.topic)?.replicas[read.partition];
      if (replicas && electPreferredLeader(read.state, replicas, live)) await this.elect(read, (s) => electPreferredLeader(s, replicas, live) ?? 'election-not-needed', (leader) => `its preferred replica ${leader} again`);
    }
  }

  /**
   * ElectLeaders (43) for the given partitions, or every partition when `which` is null
   * (then, as Kafka does, only the partitions where something happened or failed are
   * answered: ELECTION_NOT_NEEDED ones are left out). Uses the automatic rebalance's
   * write path (`elect`); runs between reconciliations, never during one.
   */
  electLeaders(type: ElectionType, which: readonly { topic: string; partition: number }[] | null): Promise<ElectionResult[]> {
    return this.exclusive(async () => {
      const live = await this.liveNow();
      const topics = await this.store.listTopics();
      const { partitions } = await this.store.listPartitions();
      const byKey = new Map(partitions.map((p) => [`${p.topic}\0${p.partition}`, p]));
      const targets = which ?? partitions.map(({ topic, partition }) => ({ topic, partition }));
      const results: ElectionResult[] = [];
      for (const { topic, partition } of targets) {
        const read = byKey.get(`${topic}\0${partition}`);
        const replicas = topics.get(topic)?.replicas[partition];
        if (!read || !replicas) {
          results.push({ topic, partition, error: 'unknown-topic-or-partition' });
          continue;
        }
        const outcome = await this.elect(read, (s) => decideElection(type, s, replicas, live), (leader) => `broker ${leader} (ElectLeaders, ${type} election)`);
        if (which !== null || outcome !== 'election-not-needed') results.push({ topic, partition, error: outcome });
      }
      return results;
    });
  }

  /** Starts, replaces or cancels partition reassignments (AlterPartitionReassignments 45), then completes those already possible. */
  alterReassignments(requests: readonly ReassignRequest[]): Promise<ReassignResult[]> {
    return this.exclusive(async () => {
      const live = await this.liveNow();
      const results = await this.reassigner.alter(requests, live);
      this.reassigning = true;
      await this.progressReassignments(live);
      return results;
    });
  }

  /** Reassignments in progress (ListPartitionReassignments 46). */
  listReassignments(filter: readonly { topic: string; partitions: readonly number[] }[] | null): Promise<OngoingReassignment[]> {
    return this.reassigner.list(filter);
  }

  private async progressReassignments(live: ReadonlySet<number>): Promise<void> {
    try {
      this.reassigning = await this.reassigner.progress(live);
    } catch (err) {
      if (err instanceof ControllerFencedError) return this.fenced();
      this.opts.logger.warn(`reassignment check failed: ${(err as Error).message}`);
    }
  }

  /**
   * Writes one election decided by `decide` from the partition record (compare-and-swap
   * fenced by this controller's epoch; a record changed meanwhile is re-read and decided
   * again). Returns null once written, else why nothing was.
   */
  private async elect(first: VersionedPartitionState, decide: (state: PartitionState) => PartitionState | ElectionRefusal, who: (leader: number) => string): Promise<ElectionResult['error']> {
    let read: VersionedPartitionState | null = first;
    for (let attempt = 0; read && attempt < 5; attempt++) {
      const next = decide(read.state);
      if (typeof next === 'string') return next;
      const result = await this.store.updatePartition(read, next, this.controller);
      if (result === 'ok') {
        this.opts.logger.info(`partition ${read.topic}-${read.partition}: led by ${who(next.leader)}, leader epoch ${next.leaderEpoch}`);
        return null;
      }
      if (result === 'fenced') {
        await this.fenced();
        return 'not-controller';
      }
      read = await this.store.getPartition(read.topic, read.partition);
    }
    return read ? 'eligible-leaders-not-available' : 'unknown-topic-or-partition';
  }

  private async liveNow(): Promise<Set<number>> {
    return new Set((await this.store.listBrokers()).brokers.map((b) => b.nodeId));
  }

  /** Runs `task` after the reconciliations and tasks queued before it, never alongside one. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new ControllerFencedError(this.controller));
    const run = this.running.then(task);
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async fenced(): Promise<void> {
    this.opts.logger.warn(`controller epoch ${this.controller.epoch} was superseded; stopping`);
    await this.stop();
    this.opts.onFenced?.();
  }

  private async decide(first: VersionedPartitionState, replicas: readonly number[], live: Set<number>): Promise<void> {
    const unclean = this.opts.uncleanLeaderElection?.(first.topic) ?? false;
    let read: VersionedPartitionState | null = first;
    for (let attempt = 0; read && attempt < 5; attempt++) {
      const next = electLeader(read.state, replicas, live, unclean);
      if (!next) return;
      const result = await this.store.updatePartition(read, next, this.controller);
      if (result === 'ok') {
        if (next.leader !== read.state.leader) {
          const what = next.leader < 0 ? 'offline (no live in-sync replica)' : `led by broker ${next.leader}`;
          this.opts.logger.info(`partition ${read.topic}-${read.partition}: ${what}, leader epoch ${next.leaderEpoch}, ISR [${next.isr.join(',')}]`);
        }
        return;
      }
      if (result === 'fenced') return this.fenced();
      read = await this.store.getPartition(read.topic, read.partition);
    }
  }
}
