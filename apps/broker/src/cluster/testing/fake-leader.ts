import { buildBatch, FetchApi, iterateBatches, OffsetForLeaderEpochApi } from '@millrace/protocol';
import type { FollowerReplica } from '../follower-replica';
import type { LeaderConnection } from '../replica-fetcher';

/** A request a fake leader received, answered by the test. */
export interface ReceivedRequest {
  readonly apiKey: number;
  readonly body: RequestBody;
  readonly connection: number;
  respond(response: unknown): void;
}

/** The request fields the fetcher tests look at (Fetch and OffsetForLeaderEpoch). */
export interface RequestBody {
  maxWaitMs?: number;
  topics: { topic: string; partitions: { partition: number; currentLeaderEpoch: number; fetchOffset?: number; leaderEpoch?: number }[] }[];
}

/**
 * A leader broker for replica-fetcher tests: each connection's requests are queued for
 * the test to read (`next`) and answer; closing a connection rejects its unanswered
 * requests, as a real socket's close does.
 */
export class FakeLeader {
  private readonly queued: ReceivedRequest[] = [];
  private readonly waiting: ((r: ReceivedRequest) => void)[] = [];
  private readonly open = new Map<number, () => void>();
  connections = 0;
  closed = 0;

  connect(): LeaderConnection {
    const id = ++this.connections;
    const pending = new Set<(err: Error) => void>();
    let alive = true;
    const conn = {
      get alive() {
        return alive;
      },
      send: (apiKey: number, _version: number, body: unknown) =>
        new Promise((resolve, reject) => {
          if (!alive) return reject(new Error('connection closed'));
          pending.add(reject);
          this.deliver({
            apiKey,
            body: body as RequestBody,
            connection: id,
            respond: (response) => {
              pending.delete(reject);
              resolve(response);
            },
          });
        }),
      close: () => {
        if (!alive) return;
        alive = false;
        this.closed++;
        this.open.delete(id);
        for (const reject of pending) reject(new Error('connection closed'));
        pending.clear();
      },
    };
    this.open.set(id, () => conn.close());
    return conn as unknown as LeaderConnection;
  }

  /** The leader drops every connection (its unanswered requests fail). */
  dropAll(): void {
    for (const close of [...this.open.values()]) close();
  }

  /** The next request received (waits for it; fails after `timeoutMs`). */
  next(timeoutMs = 3000): Promise<ReceivedRequest> {
    const ready = this.queued.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no request within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  private deliver(r: ReceivedRequest): void {
    const w = this.waiting.shift();
    if (w) w(r);
    else this.queued.push(r);
  }
}

export const FETCH = FetchApi.apiKey;
export const OFFSET_FOR_LEADER_EPOCH = OffsetForLeaderEpochApi.apiKey;

/** A fetched partition's answer in a Fetch response. */
export interface FetchAnswer {
  topic: string;
  partition: number;
  errorCode?: number;
  highWatermark?: number;
  logStartOffset?: number;
  records?: Buffer;
}

export function fetchResponse(parts: readonly FetchAnswer[]): unknown {
  const topics = new Map<string, unknown[]>();
  for (const p of parts) {
    const list = topics.get(p.topic) ?? [];
    topics.set(p.topic, list);
    list.push({
      partitionIndex: p.partition,
      errorCode: p.errorCode ?? 0,
      highWatermark: p.highWatermark ?? 0,
      lastStableOffset: p.highWatermark ?? 0,
      logStartOffset: p.logStartOffset ?? 0,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: p.records ?? Buffer.alloc(0),
    });
  }
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
}

export function epochResponse(parts: readonly { topic: string; partition: number; errorCode?: number; leaderEpoch: number; endOffset: number }[]): unknown {
  const topics = new Map<string, unknown[]>();
  for (const p of parts) {
    const list = topics.get(p.topic) ?? [];
    topics.set(p.topic, list);
    list.push({ partition: p.partition, errorCode: p.errorCode ?? 0, leaderEpoch: p.leaderEpoch, endOffset: p.endOffset });
  }
  return { throttleTimeMs: 0, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
}

/** `count` records from `baseOffset` written in `leaderEpoch`, as one batch. */
export function batch(baseOffset: number, count: number, leaderEpoch: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`r${baseOffset + i}`), timestamp: 1_700_000_000_000 + i }));
  return buildBatch({ baseOffset, records, partitionLeaderEpoch: leaderEpoch });
}

/** The (topic, partition, fetchOffset, epoch) a request names, flattened. */
export function named(body: RequestBody): string[] {
  return body.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}@${p.fetchOffset ?? p.leaderEpoch}/e${p.currentLeaderEpoch}`)).sort();
}

/** An in-memory follower replica recording what the fetcher did to it. */
export class FakeReplica implements FollowerReplica {
  logEndOffset = 0;
  latest: number | null = null;
  readonly epochEnds = new Map<number, number>();
  readonly appended: { baseOffset: number; lastOffset: number; epoch: number }[] = [];
  readonly truncations: number[] = [];
  highWatermark = 0;
  failAppends = false;

  latestLeaderEpoch(): number | null {
    return this.latest;
  }

  endOfEpoch(epoch: number): number {
    return this.epochEnds.get(epoch) ?? this.logEndOffset;
  }

  async truncateTo(offset: number): Promise<void> {
    await Promise.resolve();
    this.truncations.push(offset);
    this.logEndOffset = Math.min(this.logEndOffset, offset);
  }

  async appendReplicated(records: Buffer, leaderEpoch: number): Promise<void> {
    await Promise.resolve();
    if (this.failAppends) throw new Error('disk full');
    for (const { header } of iterateBatches(records)) {
      const lastOffset = header.baseOffset + header.lastOffsetDelta;
      this.appended.push({ baseOffset: header.baseOffset, lastOffset, epoch: leaderEpoch });
      this.logEndOffset = lastOffset + 1;
    }
  }

  followLeaderHighWatermark(hw: number): void {
    this.highWatermark = Math.min(hw, this.logEndOffset);
  }
}
