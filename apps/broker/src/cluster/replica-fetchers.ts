import type { PartitionState } from '@millrace/cluster-metadata';
import type { FollowerReplica } from './follower-replica';
import { KeyedSerializer } from './keyed-serializer';
import { ReplicaFetcher, type FetcherLogger, type LeaderConnection } from './replica-fetcher';

/** What the replica fetchers need from their broker. */
export interface ReplicaFetchersDeps {
  readonly nodeId: number;
  /** replica.fetch.wait.max.ms */
  readonly fetchWaitMaxMs: number;
  /** The replicas the topic's assignment names for a partition (empty: unknown topic). */
  assignedReplicas(topic: string, partition: number): readonly number[];
  /** The hosted replica of a partition, once its log is open. */
  replica(topic: string, partition: number): FollowerReplica | undefined;
  /** A new connection to broker `leader`; null while it is not a live broker. */
  connect(leader: number): Promise<LeaderConnection | null>;
  readonly logger: FetcherLogger;
}

/**
 * The follower fetchers of this broker: one per leader broker (Kafka's
 * ReplicaFetcherManager with num.replica.fetchers=1), each fetching every hosted
 * partition that broker leads in one request. `update` is called whenever a partition
 * record or its topic's assignment changes: a partition whose leader changed moves to
 * that leader's fetcher, one whose leader epoch changed truncates again in the same
 * fetcher, one this broker no longer follows (it leads it, or no longer hosts it, or it
 * has no leader) is dropped. A fetcher left without partitions is stopped.
 *
 * Log changes of one partition (truncations, appends) run one after another across
 * fetchers, so a partition's new fetcher never truncates under an append its old one
 * had started.
 */
export class ReplicaFetchers {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  /** The leader each followed partition is fetched from. */
  private readonly leaderOf = new Map<string, number>();
  private readonly serializer = new KeyedSerializer();
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly deps: ReplicaFetchersDeps) {}

  update(topic: string, partition: number, state: PartitionState | undefined): void {
    const key = `${topic}\0${partition}`;
    const follow = state !== undefined && state.leader >= 0 && state.leader !== this.deps.nodeId && this.deps.assignedReplicas(topic, partition).includes(this.deps.nodeId);
    const current = this.leaderOf.get(key);
    if (current !== undefined && (!follow || current !== state.leader)) {
      this.leaderOf.delete(key);
      this.release(current, topic, partition);
    }
    if (!follow) return;
    let fetcher = this.fetchers.get(state.leader);
    if (!fetcher) this.fetchers.set(state.leader, (fetcher = this.createFetcher(state.leader)));
    fetcher.follow(topic, partition, state.leaderEpoch);
    this.leaderOf.set(key, state.leader);
  }

  /** Which leader each partition is fetched from, and in which epoch (for inspection and tests). */
  following(): Map<string, { leader: number; leaderEpoch: number }> {
    const out = new Map<string, { leader: number; leaderEpoch: number }>();
    for (const [key, leader] of this.leaderOf) {
      const [topic, partition] = key.split('\0');
      const entry = this.fetchers.get(leader)?.followed(topic, Number(partition));
      if (entry) out.set(`${topic}-${partition}`, { leader, leaderEpoch: entry.leaderEpoch });
    }
    return out;
  }

  /** The leaders a fetcher runs for. */
  get leaders(): number[] {
    return [...this.fetchers.keys()].sort((a, b) => a - b);
  }

  async stopAll(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.leaderOf.clear();
    await Promise.all([...all.map((f) => f.stop()), ...this.stopping]);
  }

  private release(leader: number, topic: string, partition: number): void {
    const fetcher = this.fetchers.get(leader);
    if (!fetcher) return;
    fetcher.unfollow(topic, partition);
    if (fetcher.size > 0) return;
    this.fetchers.delete(leader);
    const stopped = fetcher.stop().finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  private createFetcher(leader: number): ReplicaFetcher {
    return new ReplicaFetcher(leader, {
      nodeId: this.deps.nodeId,
      fetchWaitMaxMs: this.deps.fetchWaitMaxMs,
      replica: (topic, partition) => this.deps.replica(topic, partition),
      connect: () => this.deps.connect(leader),
      exclusive: (topic, partition, op) => this.serializer.run(`${topic}\0${partition}`, op),
      logger: this.deps.logger,
    });
  }
}
