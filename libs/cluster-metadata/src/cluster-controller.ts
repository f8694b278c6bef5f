import type { ControllerInfo, VersionedPartitionState } from './cluster-types';
import type { ClusterMetadataStore, Watcher } from './cluster-metadata-store';
import { electLeader, electPreferredLeader } from './leader-election';

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
  private stopped = false;

  constructor(
    private readonly store: ClusterMetadataStore,
    readonly controller: ControllerInfo,
    private readonly opts: ClusterControllerOptions,
  ) {}

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
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.preferredTimer) clearInterval(this.preferredTimer);
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
      const next = replicas ? electPreferredLeader(read.state, replicas, live) : null;
      if (!next) continue;
      const result = await this.store.updatePartition(read, next, this.controller);
      if (result === 'ok') this.opts.logger.info(`partition ${read.topic}-${read.partition}: led by its preferred replica ${next.leader} again, leader epoch ${next.leaderEpoch}`);
      if (result === 'fenced') return this.fenced();
    }
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
