import { ErrorCode, FetchApi, iterateBatches, OffsetForLeaderEpochApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import type { Partition } from '../partition/partition';
import type { BrokerEndpoint } from './cluster-view';

const FETCH_VERSION = 11;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;
const PARTITION_MAX_BYTES = 1024 * 1024;
const RETRY_MS = 200;

export interface FetcherLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** What one follower fetcher needs from its broker. */
export interface FetcherContext {
  readonly nodeId: number;
  /** replica.fetch.wait.max.ms: how long a fetch may park at the leader when there is nothing new. */
  readonly fetchWaitMaxMs: number;
  /** The hosted partition, once its log is open. */
  partition(): Partition | undefined;
  /** The leader's endpoint while it is a live broker. */
  leaderEndpoint(): BrokerEndpoint | undefined;
  readonly logger: FetcherLogger;
}

/**
 * The follower side of one partition for one leadership term (Kafka's
 * ReplicaFetcherThread, one partition per fetcher here):
 *
 * 1. Truncation first: OffsetsForLeaderEpoch (23) to the leader with this replica's
 *    latest leader epoch; the log is cut at the offset where the leader says that epoch
 *    ended (or, when the leader answers an older epoch, where this replica's own copy of
 *    that epoch ends), so a tail the new leader never had is removed before anything is
 *    fetched or served.
 * 2. Then Fetch (1) with replica_id = this broker's node id from the log end offset,
 *    long-polling; batches are appended as follower appends (origin 'replication': the
 *    leader's offsets and partition leader epochs are kept, the epoch cache follows
 *    them), and the high watermark follows the leader's (capped at this log's end).
 *
 * The fetcher stops when the cluster metadata names another leader or epoch (a new
 * fetcher starts for the new term, truncating again). Errors back off and retry.
 */
export class ReplicaFetcher {
  private stopped = false;
  private conn: KafkaConnection | null = null;
  private readonly done: Promise<void>;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly leader: number,
    readonly leaderEpoch: number,
    private readonly ctx: FetcherContext,
  ) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.conn?.close();
    await this.done;
  }

  private async run(): Promise<void> {
    let truncated = false;
    while (!this.stopped) {
      const p = this.ctx.partition();
      if (!p) {
        await sleep(RETRY_MS);
        continue;
      }
      try {
        const conn = await this.connection();
        if (!conn) {
          await sleep(RETRY_MS);
          continue;
        }
        if (!truncated) {
          await this.truncate(conn, p);
          truncated = true;
        }
        if (!(await this.fetchOnce(conn, p))) await sleep(RETRY_MS);
      } catch (err) {
        if (this.stopped) return;
        this.ctx.logger.warn(`follower of ${this.topic}-${this.index} (leader ${this.leader}, epoch ${this.leaderEpoch}): ${(err as Error).message}; retrying`);
        this.conn?.close();
        this.conn = null;
        await sleep(RETRY_MS * 2);
      }
    }
  }

  private async connection(): Promise<KafkaConnection | null> {
    if (this.conn?.alive) return this.conn;
    const leader = this.ctx.leaderEndpoint();
    if (!leader) return null;
    this.conn = await KafkaConnection.open(leader.host, leader.port, `millrace-replica-${this.ctx.nodeId}`, 5000);
    return this.conn;
  }

  private async truncate(conn: KafkaConnection, p: Partition): Promise<void> {
    const cache = p.log.leaderEpochs.cache;
    const latest = cache.latestEpoch;
    if (latest === null) return;
    const r = await conn.send(OffsetForLeaderEpochApi.apiKey, OFFSET_FOR_LEADER_EPOCH_VERSION, {
      replicaId: this.ctx.nodeId,
      topics: [{ topic: this.topic, partitions: [{ partition: this.index, currentLeaderEpoch: this.leaderEpoch, leaderEpoch: latest }] }],
    });
    const a = r.topics[0]?.partitions[0];
    if (!a || a.errorCode !== ErrorCode.NONE) throw new Error(`OffsetForLeaderEpoch answered ${a ? ErrorCode[a.errorCode] : 'nothing'}`);
    if (a.endOffset < 0) return;
    let target = a.endOffset;
    if (a.leaderEpoch !== latest) target = Math.min(target, cache.endOffsetFor(a.leaderEpoch, p.logEndOffset).startOffset);
    if (target < p.logEndOffset) {
      this.ctx.logger.info(`partition ${this.topic}-${this.index}: truncating the follower's log from ${p.logEndOffset} to ${target} (leader ${this.leader}, epoch ${this.leaderEpoch})`);
      await p.log.truncateTo(target);
    }
  }

  /** One fetch round; false when the leader answered an error (back off). */
  private async fetchOnce(conn: KafkaConnection, p: Partition): Promise<boolean> {
    const fetchOffset = p.logEndOffset;
    const r = await conn.send(FetchApi.apiKey, FETCH_VERSION, {
      replicaId: this.ctx.nodeId,
      maxWaitMs: this.ctx.fetchWaitMaxMs,
      minBytes: 1,
      maxBytes: PARTITION_MAX_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: this.topic, partitions: [{ partition: this.index, currentLeaderEpoch: this.leaderEpoch, fetchOffset, logStartOffset: -1, partitionMaxBytes: PARTITION_MAX_BYTES }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    if (this.stopped) return true;
    const part = r.responses[0]?.partitions[0];
    if (!part) return false;
    if (part.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && part.logStartOffset > fetchOffset) {
      // Not handled yet: restarting this log at the leader's log start (retention ran past a lagging follower).
      this.ctx.logger.warn(`follower of ${this.topic}-${this.index} is at ${fetchOffset}, below the leader's log start ${part.logStartOffset}; it cannot catch up yet`);
      return false;
    }
    if (part.errorCode !== ErrorCode.NONE) return false;
    if (part.records && part.records.length > 0) await appendAsFollower(p, part.records);
    p.followLeaderHighWatermark(part.highWatermark);
    return true;
  }
}

/** Appends fetched batches keeping the leader's offsets, one append per run of batches of the same leader epoch. */
async function appendAsFollower(p: Partition, records: Buffer): Promise<void> {
  let runStart = -1;
  let runEnd = -1;
  let runEpoch = -1;
  const flush = async (): Promise<void> => {
    if (runStart < 0) return;
    await p.log.append(records.subarray(runStart, runEnd), { origin: 'replication', leaderEpoch: runEpoch });
    runStart = -1;
  };
  for (const { pos, size, header } of iterateBatches(records)) {
    if (header.baseOffset + header.lastOffsetDelta < p.logEndOffset && runStart < 0) continue; // already held
    if (runStart >= 0 && header.partitionLeaderEpoch !== runEpoch) await flush();
    if (runStart < 0) {
      runStart = pos;
      runEpoch = header.partitionLeaderEpoch;
    }
    runEnd = pos + size;
  }
  await flush();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
