import type { ClusterMetadataStore } from '@millrace/cluster-metadata';
import type { TopicManager } from '../metadata/topic-manager';
import type { Partition } from '../partition/partition';
import type { ReplicaManager } from '../partition/replica-manager';

export interface IsrLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The shortest time between two fetch-triggered checks of one partition. */
const EXPAND_COOLDOWN_MS = 250;

/**
 * The leader's ISR changes (Kafka's Partition.maybeShrinkIsr / maybeExpandIsr, sent to
 * the controller as AlterPartition there): for every replicated partition this broker
 * leads, a follower not caught up for replica.lag.time.max.ms leaves the ISR, and an
 * assigned replica that caught up (LeaderReplication) rejoins it. The change is written
 * to the partition record with compare-and-swap, only while the record still names this
 * broker leader at this leader epoch; a concurrent change by the controller wins and the
 * next check decides again from the new record. Nothing changes locally until the
 * record's watch brings it back (ReplicaManager.applyLeadership), so the ISR that moves
 * the high watermark is always the one recorded in etcd.
 *
 * Shrinking is periodic (every min(1 s, lag/4): a lag is the absence of fetches, so only
 * a clock can see it). Expanding is event-driven as in Kafka: the fetch that brings an
 * out-of-sync follower to the high watermark triggers the check of its partition at
 * once (ReplicaManager.onFollowerCaughtUp), at most once per `EXPAND_COOLDOWN_MS` per
 * partition while the new record travels back through the watch.
 */
export class IsrManager {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Partitions whose check is under way (one compare-and-swap at a time per partition). */
  private readonly checking = new Set<Partition>();
  /** When a fetch last triggered a partition's check. */
  private readonly triggeredAt = new WeakMap<Partition, number>();

  constructor(
    private readonly store: ClusterMetadataStore,
    private readonly replicas: ReplicaManager,
    private readonly topics: TopicManager,
    private readonly nodeId: number,
    private readonly lagMs: number,
    private readonly logger: IsrLogger,
    private readonly counters: { isrShrinks: { inc(n?: number): void }; isrExpands: { inc(n?: number): void } } | null = null,
    /** Whether a broker is registered (live) now: a dead follower's last position must not bring it back into the ISR. */
    private readonly isLive: (nodeId: number) => boolean = () => true,
  ) {}

  start(): void {
    const every = Math.max(100, Math.min(1000, Math.floor(this.lagMs / 4)));
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
    this.replicas.onFollowerCaughtUp((p) => this.checkSoon(p));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.replicas.onFollowerCaughtUp(null);
  }

  /** A follower of `p` outside its ISR caught up: check `p` now (unless it was triggered just before). */
  checkSoon(p: Partition, nowMs = Date.now()): void {
    if (this.timer === null || this.checking.has(p) || nowMs - (this.triggeredAt.get(p) ?? -Infinity) < EXPAND_COOLDOWN_MS) return;
    this.triggeredAt.set(p, nowMs);
    void this.checkOne(p, nowMs);
  }

  /** One pass over the partitions this broker leads. */
  async check(nowMs = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const p of this.replicas.allPartitions()) await this.checkOne(p, nowMs);
    } finally {
      this.running = false;
    }
  }

  private async checkOne(p: Partition, nowMs: number): Promise<void> {
    if (!p.replication || !p.isLeader || this.checking.has(p)) return;
    this.checking.add(p);
    try {
      await this.checkPartition(p, nowMs);
    } catch (err) {
      this.logger.warn(`ISR check of ${p.topic}-${p.index} failed: ${(err as Error).message}`);
    } finally {
      this.checking.delete(p);
    }
  }

  private async checkPartition(p: Partition, nowMs: number): Promise<void> {
    const assigned = this.topics.get(p.topic)?.replicas?.[p.index];
    if (!assigned || assigned.length < 2 || !p.replication) return;
    const lagging = p.replication.laggingInSync(nowMs, this.lagMs);
    const joining = p.replication.caughtUpOutOfSync(assigned, p.highWatermark, nowMs, this.lagMs).filter((r) => this.isLive(r));
    if (lagging.length === 0 && joining.length === 0) return;
    const read = await this.store.getPartition(p.topic, p.index);
    if (!read || read.state.leader !== this.nodeId || read.state.leaderEpoch !== p.leaderEpoch) return;
    // The replicas to add must still be assigned. This broker's topic mirror may lag the
    // partition record just read: a completed reassignment writes both in one transaction,
    // and without this check a removed replica still fetching would be put back into the
    // ISR. Read after the partition record, so a change in between fails the CAS below.
    const assignedNow = joining.length > 0 ? ((await this.store.getTopic(p.topic))?.replicas[p.index] ?? []) : [];
    const isr = [...read.state.isr.filter((r) => !lagging.includes(r)), ...joining.filter((r) => !read.state.isr.includes(r) && assignedNow.includes(r))];
    if (isr.length === read.state.isr.length && isr.every((r) => read.state.isr.includes(r))) return;
    const result = await this.store.updatePartition(read, { ...read.state, isr, partitionEpoch: read.state.partitionEpoch + 1 });
    if (result !== 'ok') return;
    const removed = read.state.isr.filter((r) => !isr.includes(r)).length;
    const added = isr.filter((r) => !read.state.isr.includes(r)).length;
    if (removed > 0) this.counters?.isrShrinks.inc(removed);
    if (added > 0) this.counters?.isrExpands.inc(added);
    const what = [lagging.length > 0 ? `shrunk (lagging: ${lagging.join(',')})` : '', joining.length > 0 ? `expanded (caught up: ${joining.join(',')})` : ''].filter(Boolean).join(' and ');
    this.logger.info(`partition ${p.topic}-${p.index}: ISR ${what} to [${isr.join(',')}]`);
  }
}
