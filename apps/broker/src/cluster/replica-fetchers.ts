import type { PartitionState } from '@millrace/cluster-metadata';
import type { FollowerReplica } from './follower-replica';
import { KeyedSerializer } from './keyed-serializer';
import { ReplicaFetcher, type FetcherLogger, type LeaderConnection } from './replica-fetcher';

/** What the replica fetchers need from their broker. */
export interface ReplicaFetchersDeps {
  readonly nodeId: number;
  /** replica.fetch.wait.max.ms */
  readonly fetchWaitMaxMs: number;
  /** num.replica.fetchers: fetchers (connections) per leader broker, at least 1. */
  readonly fetchersPerLeader: number;
  /** The replicas the topic's assignment names for a partition (empty: unknown topic). */
  assignedReplicas(topic: string, partition: number): readonly number[];
  /** The hosted replica of a partition, once its log is open. */
  replica(topic: string, partition: number): FollowerReplica | undefined;
  /** A new connection to broker `leader`; null while it is not a live broker. */
  connect(leader: number): Promise<LeaderConnection | null>;
  readonly logger: FetcherLogger;
}

/**
 * The follower fetchers of this broker (Kafka's ReplicaFetcherManager): up to
 * `fetchersPerLeader` per leader broker (num.replica.fetchers), each fetching its share
 * of the hosted partitions that broker leads in one request per round.
 *
 * Why more than one per leader (the round structure, see ReplicaFetcher): a fetcher has
 * one request in flight (responses on a connection come back in request order), and a
 * leader acknowledges an acks=all record (and lets consumers see it: they read up to
 * the high watermark) only when each ISR follower's NEXT fetch reports it appended the
 * record. An append that finds the fetch parked at the leader costs one round trip. An
 * append that arrives while the fetch is mid-round (response in transit, follower
 * appending, next request in transit), or after the leader read that partition for a
 * round another partition's data completed, waits for that round to end, then needs
 * one round to carry it and the start of another to report it: two round trips or
 * more. The more partitions with traffic share a fetcher, the more often it is
 * mid-round; spread over a few fetchers, most appends find theirs parked. On a loaded
 * machine, where a round trip costs process wake-ups of several ms, that is most of
 * acks=all and end-to-end latency at low rates. Throughput is not lost: under load each
 * fetcher still carries all of its partitions' data in one request per round.
 *
 * A partition joins the fetcher of its leader that holds the fewest partitions of its
 * topic (then the fewest overall), so a topic's partitions on one leader spread over
 * the fetchers whatever their numbers. `update` is called whenever a partition
 * record or its topic's assignment changes: a partition whose leader changed moves to
 * a fetcher of that leader, one whose leader epoch changed truncates again in the same
 * fetcher, one this broker no longer follows (it leads it, or no longer hosts it, or it
 * has no leader) is dropped. A fetcher left without partitions is stopped.
 *
 * Log changes of one partition (truncations, appends) run one after another across
 * fetchers, so a partition's new fetcher never truncates under an append its old one
 * had started.
 */
export class ReplicaFetchers {
  /** Fetchers by `fetcherKey(leader, slot)`. */
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  /** The fetcher each followed partition is fetched by. */
  private readonly fetcherOf = new Map<string, { leader: number; slot: number }>();
  private readonly serializer = new KeyedSerializer();
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly deps: ReplicaFetchersDeps) {}

  update(topic: string, partition: number, state: PartitionState | undefined): void {
    const key = `${topic}\0${partition}`;
    const follow = state !== undefined && state.leader >= 0 && state.leader !== this.deps.nodeId && this.deps.assignedReplicas(topic, partition).includes(this.deps.nodeId);
    const current = this.fetcherOf.get(key);
    if (current !== undefined && (!follow || current.leader !== state.leader)) {
      this.fetcherOf.delete(key);
      this.release(current.leader, current.slot, topic, partition);
    }
    if (!follow) return;
    const slot = current?.leader === state.leader ? current.slot : this.pickSlot(state.leader, topic);
    const fk = fetcherKey(state.leader, slot);
    let fetcher = this.fetchers.get(fk);
    if (!fetcher) this.fetchers.set(fk, (fetcher = this.createFetcher(state.leader)));
    fetcher.follow(topic, partition, state.leaderEpoch);
    this.fetcherOf.set(key, { leader: state.leader, slot });
  }

  /** The slot of `leader` holding the fewest partitions of `topic`, then the fewest overall (lowest slot on ties). */
  private pickSlot(leader: number, topic: string): number {
    const ofTopic = new Array<number>(this.slots).fill(0);
    const all = new Array<number>(this.slots).fill(0);
    for (const [key, at] of this.fetcherOf) {
      if (at.leader !== leader) continue;
      all[at.slot]++;
      if (key.slice(0, key.indexOf('\0')) === topic) ofTopic[at.slot]++;
    }
    let best = 0;
    for (let s = 1; s < this.slots; s++) if (ofTopic[s] < ofTopic[best] || (ofTopic[s] === ofTopic[best] && all[s] < all[best])) best = s;
    return best;
  }

  private get slots(): number {
    return Math.max(1, Math.floor(this.deps.fetchersPerLeader));
  }

  /** Which leader each partition is fetched from, and in which epoch (for inspection and tests). */
  following(): Map<string, { leader: number; leaderEpoch: number }> {
    const out = new Map<string, { leader: number; leaderEpoch: number }>();
    for (const [key, { leader, slot }] of this.fetcherOf) {
      const [topic, partition] = key.split('\0');
      const entry = this.fetchers.get(fetcherKey(leader, slot))?.followed(topic, Number(partition));
      if (entry) out.set(`${topic}-${partition}`, { leader, leaderEpoch: entry.leaderEpoch });
    }
    return out;
  }

  /** The leaders fetchers run for. */
  get leaders(): number[] {
    return [...new Set([...this.fetchers.values()].map((f) => f.leader))].sort((a, b) => a - b);
  }

  /** How many partitions each fetcher slot of `leader` follows, by slot (for inspection and tests). */
  slotsOf(leader: number): number[] {
    const counts = new Array<number>(this.slots).fill(0);
    for (const at of this.fetcherOf.values()) if (at.leader === leader) counts[at.slot]++;
    return counts;
  }

  /** How many fetchers run (for inspection and tests). */
  get fetcherCount(): number {
    return this.fetchers.size;
  }

  async stopAll(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.fetcherOf.clear();
    await Promise.all([...all.map((f) => f.stop()), ...this.stopping]);
  }

  private release(leader: number, slot: number, topic: string, partition: number): void {
    const fk = fetcherKey(leader, slot);
    const fetcher = this.fetchers.get(fk);
    if (!fetcher) return;
    fetcher.unfollow(topic, partition);
    if (fetcher.size > 0) return;
    this.fetchers.delete(fk);
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

function fetcherKey(leader: number, slot: number): string {
  return `${leader}/${slot}`;
}
