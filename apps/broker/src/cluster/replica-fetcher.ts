import { ErrorCode, FetchApi, OffsetForLeaderEpochApi, type FetchResponseData, type OffsetForLeaderEpochResponseData } from '@millrace/protocol';
import type { KafkaConnection } from '@millrace/kafka-log';
import { appendAsFollower, truncationTarget, type FollowerReplica } from './follower-replica';
import { ReplicaFetchSet, type FollowedPartition } from './replica-fetch-set';

const FETCH_VERSION = 11;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;
/** replica.fetch.max.bytes */
const PARTITION_MAX_BYTES = 1024 * 1024;
/** replica.fetch.response.max.bytes */
const RESPONSE_MAX_BYTES = 10 * 1024 * 1024;
/** replica.fetch.backoff.ms-like: how long a partition the leader answered an error for is left out. */
export const PARTITION_BACKOFF_MS = 200;
/** How long the whole fetcher waits after its connection failed. */
const CONNECTION_BACKOFF_MS = 400;

export interface FetcherLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The connection to the leader (KafkaConnection; a fake in tests). */
export type LeaderConnection = Pick<KafkaConnection, 'alive' | 'send' | 'close'>;

/** What one leader's fetcher needs from its broker. */
export interface FetcherContext {
  readonly nodeId: number;
  /** replica.fetch.wait.max.ms: how long a fetch may park at the leader when there is nothing new. */
  readonly fetchWaitMaxMs: number;
  /** The hosted replica of a partition, once its log is open. */
  replica(topic: string, partition: number): FollowerReplica | undefined;
  /** A new connection to the leader; null while the leader is not a live broker. */
  connect(): Promise<LeaderConnection | null>;
  /** Runs a partition's log change after those already started for it (by any fetcher). */
  exclusive(topic: string, partition: number, op: () => Promise<void>): Promise<void>;
  readonly logger: FetcherLogger;
}

interface Due {
  readonly entry: FollowedPartition;
  readonly replica: FollowerReplica;
}

/**
 * The follower side of the partitions this broker follows on one leader that
 * ReplicaFetchers gives it (Kafka's ReplicaFetcherThread): one connection, and each
 * round one request for all its partitions:
 *
 * 1. Truncation first, for partitions new to this fetcher or in a new leader epoch:
 *    one OffsetsForLeaderEpoch (23) with each one's latest leader epoch; each log is cut
 *    where the leader says that epoch ended (or, when the leader answers an older
 *    epoch, where this replica's own copy of that epoch ends), so a tail the new leader
 *    never had is removed before anything is fetched or served.
 * 2. Then one Fetch (1), replica_id = this broker, each partition from its log end,
 *    long-polling up to replica.fetch.wait.max.ms (the leader answers when any of them
 *    gets data); batches are appended per partition, all partitions in parallel, as
 *    follower appends (the leader's offsets and epochs kept), and each high watermark
 *    follows the leader's. The next round starts once every append is done, and it is
 *    that fetch which tells the leader the new log ends (its high watermark, acks=all):
 *    a record the leader appends while this fetch is parked is acknowledged one round
 *    trip later; one appended mid-round waits for the round to end, then one more
 *    (ReplicaFetchers spreads a leader's partitions over several fetchers for this).
 *
 * Errors are per partition: a partition the leader answers an error for (fenced or
 * unknown epoch, not leader, out of range, ...) or whose append fails is left out of the
 * requests for PARTITION_BACKOFF_MS, the others go on. A connection failure backs the
 * whole fetcher off and reconnects; truncations already done stay done.
 *
 * A partition added (or moved to a new epoch) while a fetch is parked at the leader
 * interrupts it (the connection is replaced), so it need not wait for the park to end.
 * A response for a partition removed or re-added meanwhile is dropped.
 */
export class ReplicaFetcher {
  private readonly partitions = new ReplicaFetchSet();
  private stopped = false;
  private conn: LeaderConnection | null = null;
  /** A long-polling fetch is in flight on `conn`. */
  private parked = false;
  private interrupted = false;
  private wake: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(
    readonly leader: number,
    private readonly ctx: FetcherContext,
  ) {
    this.done = this.run();
  }

  get size(): number {
    return this.partitions.size;
  }

  /** The partition's current entry (for inspection). */
  followed(topic: string, partition: number): FollowedPartition | undefined {
    return this.partitions.get(topic, partition);
  }

  /** Follows a partition in `leaderEpoch` (a new epoch truncates again). */
  follow(topic: string, partition: number, leaderEpoch: number): void {
    if (this.partitions.follow(topic, partition, leaderEpoch) === 'unchanged') return;
    this.wake?.();
    if (this.parked && this.conn) {
      this.interrupted = true;
      this.conn.close();
      this.conn = null;
    }
  }

  unfollow(topic: string, partition: number): void {
    this.partitions.unfollow(topic, partition);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.conn?.close();
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      const due: Due[] = [];
      let unopened = false;
      for (const entry of this.partitions.due(now)) {
        const replica = this.ctx.replica(entry.topic, entry.partition);
        if (replica) due.push({ entry, replica });
        else unopened = true;
      }
      const nextDue = this.partitions.nextDueAt(now);
      // Nothing may park past the moment a backed-off or not yet opened partition can join.
      let waitMs = Math.min(this.ctx.fetchWaitMaxMs, nextDue === null ? Infinity : nextDue - now, unopened ? PARTITION_BACKOFF_MS : Infinity);
      if (due.length === 0) {
        await this.idle(Number.isFinite(waitMs) ? waitMs : this.ctx.fetchWaitMaxMs);
        continue;
      }
      waitMs = Math.max(0, waitMs);
      try {
        const conn = await this.connection();
        if (!conn) {
          await this.idle(PARTITION_BACKOFF_MS);
          continue;
        }
        const truncating = due.filter((d) => d.entry.phase === 'truncating');
        if (truncating.length > 0) await this.truncate(conn, truncating);
        const fetching = due.filter((d) => d.entry.phase === 'fetching' && this.partitions.isCurrent(d.entry));
        if (fetching.length > 0 && !this.stopped) await this.fetch(conn, fetching, waitMs);
      } catch (err) {
        this.parked = false;
        if (this.stopped) return;
        this.conn?.close();
        this.conn = null;
        if (this.interrupted) {
          this.interrupted = false;
          continue;
        }
        this.ctx.logger.warn(`replica fetcher for leader ${this.leader}: ${(err as Error).message}; reconnecting`);
        await this.idle(CONNECTION_BACKOFF_MS);
      }
    }
  }

  private async connection(): Promise<LeaderConnection | null> {
    if (this.conn?.alive) return this.conn;
    this.interrupted = false;
    this.conn = await this.ctx.connect();
    if (this.stopped) this.conn?.close();
    return this.conn;
  }

  /** Sleeps `ms`, or less when a partition is added or the fetcher stops. */
  private idle(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const finish = (): void => {
        clearTimeout(timer);
        if (this.wake === finish) this.wake = null;
        resolve();
      };
      timer = setTimeout(finish, Math.max(0, ms));
      this.wake = finish;
    });
  }

  private async truncate(conn: LeaderConnection, due: readonly Due[]): Promise<void> {
    const asked: (Due & { latest: number })[] = [];
    for (const d of due) {
      const latest = d.replica.latestLeaderEpoch();
      if (latest === null) d.entry.phase = 'fetching'; // an empty epoch cache: nothing to cut
      else asked.push({ ...d, latest });
    }
    if (asked.length === 0) return;
    const r = await conn.send(OffsetForLeaderEpochApi.apiKey, OFFSET_FOR_LEADER_EPOCH_VERSION, {
      replicaId: this.ctx.nodeId,
      topics: groupByTopic(asked, (d) => ({ partition: d.entry.partition, currentLeaderEpoch: d.entry.leaderEpoch, leaderEpoch: d.latest })),
    });
    const answers = indexAnswers(r);
    await Promise.all(
      asked.map(async (d) => {
        const { entry, replica } = d;
        const a = answers.get(keyOf(entry.topic, entry.partition));
        if (!this.partitions.isCurrent(entry)) return;
        if (!a || a.errorCode !== ErrorCode.NONE) {
          this.ctx.logger.warn(`follower of ${this.describe(entry)}: OffsetForLeaderEpoch answered ${a ? ErrorCode[a.errorCode] : 'nothing'}; retrying`);
          this.partitions.delay(entry, Date.now() + PARTITION_BACKOFF_MS);
          return;
        }
        await this.ctx.exclusive(entry.topic, entry.partition, async () => {
          if (!this.partitions.isCurrent(entry)) return;
          const target = truncationTarget(replica, d.latest, a.leaderEpoch, a.endOffset);
          if (target !== null) {
            this.ctx.logger.info(`partition ${entry.topic}-${entry.partition}: truncating the follower's log from ${replica.logEndOffset} to ${target} (leader ${this.leader}, epoch ${entry.leaderEpoch})`);
            await replica.truncateTo(target);
          }
          entry.phase = 'fetching';
        });
      }),
    );
  }

  private async fetch(conn: LeaderConnection, due: readonly Due[], waitMs: number): Promise<void> {
    const offsets = due.map((d) => d.replica.logEndOffset);
    this.parked = waitMs > 0;
    const r = await conn.send(FetchApi.apiKey, FETCH_VERSION, {
      replicaId: this.ctx.nodeId,
      maxWaitMs: waitMs,
      minBytes: 1,
      maxBytes: RESPONSE_MAX_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: groupByTopic(
        due.map((d, i) => ({ ...d, fetchOffset: offsets[i] })),
        (d) => ({ partition: d.entry.partition, currentLeaderEpoch: d.entry.leaderEpoch, fetchOffset: d.fetchOffset, logStartOffset: -1, partitionMaxBytes: PARTITION_MAX_BYTES }),
      ),
      forgottenTopicsData: [],
      rackId: '',
    });
    this.parked = false;
    if (this.stopped) return;
    if (r.errorCode !== ErrorCode.NONE) throw new Error(`Fetch answered ${ErrorCode[r.errorCode]}`);
    const parts = indexFetched(r);
    await Promise.all(due.map((d, i) => this.applyFetched(d, offsets[i], parts.get(keyOf(d.entry.topic, d.entry.partition)))));
  }

  /** One partition's part of a fetch response: appended, or the partition backed off. */
  private async applyFetched(d: Due, fetchOffset: number, part: FetchedPartition | undefined): Promise<void> {
    const { entry, replica } = d;
    if (!this.partitions.isCurrent(entry)) return;
    const backOff = (): void => this.partitions.delay(entry, Date.now() + PARTITION_BACKOFF_MS);
    if (!part) return backOff();
    if (part.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && part.logStartOffset > fetchOffset) {
      // Not handled yet: restarting this log at the leader's log start (retention ran past a lagging follower).
      this.ctx.logger.warn(`follower of ${this.describe(entry)} is at ${fetchOffset}, below the leader's log start ${part.logStartOffset}; it cannot catch up yet`);
      return backOff();
    }
    if (part.errorCode !== ErrorCode.NONE) return backOff();
    try {
      await this.ctx.exclusive(entry.topic, entry.partition, async () => {
        if (!this.partitions.isCurrent(entry) || replica.logEndOffset !== fetchOffset) return;
        if (part.records && part.records.length > 0) await appendAsFollower(replica, part.records);
        replica.followLeaderHighWatermark(part.highWatermark);
      });
    } catch (err) {
      this.ctx.logger.warn(`follower of ${this.describe(entry)}: appending fetched records failed: ${(err as Error).message}; retrying`);
      backOff();
    }
  }

  private describe(entry: FollowedPartition): string {
    return `${entry.topic}-${entry.partition} (leader ${this.leader}, epoch ${entry.leaderEpoch})`;
  }
}

type FetchedPartition = FetchResponseData['responses'][number]['partitions'][number];
type EpochAnswer = OffsetForLeaderEpochResponseData['topics'][number]['partitions'][number];

function keyOf(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

function groupByTopic<D extends { entry: FollowedPartition }, P>(due: readonly D[], part: (d: D) => P): { topic: string; partitions: P[] }[] {
  const byTopic = new Map<string, P[]>();
  for (const d of due) {
    let list = byTopic.get(d.entry.topic);
    if (!list) byTopic.set(d.entry.topic, (list = []));
    list.push(part(d));
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

function indexFetched(r: FetchResponseData): Map<string, FetchedPartition> {
  const m = new Map<string, FetchedPartition>();
  for (const t of r.responses) for (const p of t.partitions) m.set(keyOf(t.topic, p.partitionIndex), p);
  return m;
}

function indexAnswers(r: OffsetForLeaderEpochResponseData): Map<string, EpochAnswer> {
  const m = new Map<string, EpochAnswer>();
  for (const t of r.topics) for (const p of t.partitions) m.set(keyOf(t.topic, p.partition), p);
  return m;
}
