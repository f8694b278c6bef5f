import { errorMessage } from '@millrace/app-common';
import { CompressionType, ErrorCode, InitProducerIdApi, ProduceApi, errorName, isRetriable, type RecordInput } from '@millrace/protocol';
import { ClusterConnections } from './cluster-connections';
import { DeadlineTimer } from './deadline-timer';
import { estimateRecordBytes, ProducerBatch, type AppendRequest } from './producer-batch';
import type { ReaderLogger } from './partition-reader';

/** Versions every Kafka since 2.1 serves, and Millrace does. */
const PRODUCE_VERSION = 7;
const INIT_PRODUCER_ID_VERSION = 1;
const INT32_MAX = 0x7fffffff;

export interface BatchProducerOptions {
  /** host:port list. */
  bootstrap: readonly string[];
  clientId?: string;
  /** linger.ms: how long a batch that is not full waits for more records. Default 5. */
  lingerMs?: number;
  /** batch.size in bytes (estimated encoded size of one partition's batch). Default 512 KiB. */
  batchBytes?: number;
  /** max.in.flight.requests.per.connection; at most 5 keeps idempotence (the broker remembers 5 batches). Default 5. */
  maxInFlight?: number;
  /** buffer.memory: `append()` waits while this many record bytes are unacknowledged. Default 32 MiB. */
  bufferBytes?: number;
  /** request.timeout.ms, also the Produce timeout. Default 30000. */
  requestTimeoutMs?: number;
  /** delivery.timeout.ms: a batch still unacknowledged this long after it was sealed fails. Default 120000. */
  deliveryTimeoutMs?: number;
  compression?: CompressionType;
  logger?: ReaderLogger;
  /**
   * A transactional producer's id and epoch (from TransactionClient.initTransactions):
   * used instead of an InitProducerId of its own, and every batch is marked
   * transactional. The caller adds each partition to the transaction before appending.
   */
  transactional?: { transactionalId: string; id: number; epoch: number };
}

/**
 * Why a producer failed. `retriable`: the cause was transient (broker unreachable or
 * restarting, leader moving, delivery or InitProducerId timed out): the same records may
 * be sent again through a new producer. Otherwise the broker refused them for good
 * (record too large, not authorized, invalid topic...).
 */
export class ProduceError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'ProduceError';
  }
}

/** Buffered records of one append: `delivered` settles once the broker acknowledged all of them. */
export interface Delivery {
  /** The offset of every record, in the order given (-1 only if a broker answered a duplicate without one). */
  readonly delivered: Promise<number[]>;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  open: ProducerBatch | null;
  /** Sealed, waiting to be sent, in sequence order. */
  ready: ProducerBatch[];
  /** Sent and not acknowledged, in sequence order. */
  unacked: ProducerBatch[];
  inFlight: number;
  nextSequence: number;
  /** A batch failed retriably: nothing more is sent until every in-flight batch settled. */
  retryPending: boolean;
  notBefore: number;
  backoffMs: number;
}

/**
 * An idempotent producer with acks=all built on `libs/protocol` (the Java producer's
 * `enable.idempotence=true` path, without transactions): records are appended per
 * partition, collected into RecordBatch v2 batches by size (batchBytes) and time
 * (lingerMs), and sent to each partition's leader (found through Metadata), one batch
 * per partition per Produce request, up to maxInFlight requests per broker.
 *
 * Contracts:
 * - Every appended record is written exactly once and, per partition, in append order:
 *   each batch carries the producer id/epoch from InitProducerId and consecutive
 *   sequence numbers; a retry resends the same bytes, so a batch the broker appended
 *   before its answer was lost is recognised as a duplicate and not written again.
 * - Retriable failures (connection loss, broker restart, leader change, timeouts) are
 *   retried with backoff (100 ms doubling to 5 s): the partition stops sending, waits for
 *   all its in-flight batches, then resends every unacknowledged batch in sequence order.
 * - A non-retriable error, or a batch older than deliveryTimeoutMs, fails the producer:
 *   every pending delivery rejects with it and later appends throw it (sequence
 *   continuity is gone; open a new producer).
 * - `append()` resolves once the records are buffered, waiting while bufferBytes of
 *   records are unacknowledged (backpressure); `flush()` waits until everything appended
 *   so far is acknowledged; `close()` flushes and closes the connections.
 */
export class BatchProducer {
  private readonly cluster: ClusterConnections;
  private readonly lingerMs: number;
  private readonly batchBytes: number;
  private readonly maxInFlight: number;
  private readonly bufferBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly requestsInFlight = new Map<number, number>();
  private readonly sealedAt = new WeakMap<ProducerBatch, number>();
  private producer: Promise<{ id: number; epoch: number }> | null = null;
  private producerIds = { id: -1, epoch: -1 };
  private buffered = 0;
  private capacityWaiters: (() => void)[] = [];
  private idleWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private lingerTimer: NodeJS.Timeout | null = null;
  /** Kicks the drain once the earliest partition backoff (`notBefore`) has passed. */
  private readonly backoffTimer = new DeadlineTimer(() => this.kick());
  private draining = false;
  private drainAgain = false;
  private fatal: Error | null = null;

  constructor(private readonly opts: BatchProducerOptions) {
    this.cluster = new ClusterConnections(opts.bootstrap, opts.clientId ?? 'millrace-batch-producer');
    this.lingerMs = opts.lingerMs ?? 5;
    this.batchBytes = opts.batchBytes ?? 512 * 1024;
    this.maxInFlight = Math.min(opts.maxInFlight ?? 5, 5);
    this.bufferBytes = opts.bufferBytes ?? 32 << 20;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 120_000;
  }

  /** The producer id and epoch InitProducerId gave (-1 before the first append). */
  get producerId(): { id: number; epoch: number } {
    return { ...this.producerIds };
  }

  async append(topic: string, partition: number, records: readonly RecordInput[]): Promise<Delivery> {
    if (this.fatal) throw this.fatal;
    await (this.producer ??= this.opts.transactional ? Promise.resolve((this.producerIds = { id: this.opts.transactional.id, epoch: this.opts.transactional.epoch })) : this.initProducerId());
    while (this.buffered >= this.bufferBytes && !this.fatal) await new Promise<void>((r) => this.capacityWaiters.push(r));
    if (this.fatal) throw this.fatal;
    let request!: AppendRequest;
    const delivered = new Promise<number[]>((resolve, reject) => {
      request = { offsets: new Array<number>(records.length), remaining: records.length, resolve, reject, settled: false };
    });
    delivered.catch(() => undefined);
    if (records.length === 0) {
      request.resolve([]);
      return { delivered };
    }
    const p = this.partitionState(topic, partition);
    let from = 0;
    let runBytes = 0;
    let total = 0;
    for (let i = 0; i < records.length; i++) {
      const size = estimateRecordBytes(records[i]);
      total += size;
      const open = (p.open ??= new ProducerBatch(topic, partition));
      if (open.count + i - from > 0 && open.bytes + runBytes + size > this.batchBytes) {
        if (i > from) open.add(request, from, records.slice(from, i), runBytes);
        this.seal(p);
        from = i;
        runBytes = 0;
        p.open = new ProducerBatch(topic, partition);
      }
      runBytes += size;
    }
    p.open!.add(request, from, from === 0 ? records : records.slice(from), runBytes);
    this.buffered += total;
    if (p.ready.length > 0) this.kick();
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = null;
      this.sealAll();
    }, this.lingerMs);
    return { delivered };
  }

  /** append() and wait for the acknowledgement. */
  async send(topic: string, partition: number, records: readonly RecordInput[]): Promise<number[]> {
    return (await this.append(topic, partition, records)).delivered;
  }

  async flush(): Promise<void> {
    this.sealAll();
    if (this.fatal) throw this.fatal;
    if (this.buffered === 0) return;
    await new Promise<void>((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.backoffTimer.cancel();
      this.cluster.close();
    }
  }

  private partitionState(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`;
    let p = this.partitions.get(key);
    if (!p) {
      p = { topic, partition, open: null, ready: [], unacked: [], inFlight: 0, nextSequence: 0, retryPending: false, notBefore: 0, backoffMs: 100 };
      this.partitions.set(key, p);
    }
    return p;
  }

  private async initProducerId(): Promise<{ id: number; epoch: number }> {
    const deadline = Date.now() + this.deliveryTimeoutMs;
    let backoffMs = 100;
    for (;;) {
      let problem: string;
      let retriable = true;
      try {
        const conn = await this.cluster.anyConnection();
        const res = await conn.send(InitProducerIdApi.apiKey, INIT_PRODUCER_ID_VERSION, { transactionalId: null, transactionTimeoutMs: 60_000 });
        if (res.errorCode === ErrorCode.NONE) {
          this.producerIds = { id: res.producerId, epoch: res.producerEpoch };
          return this.producerIds;
        }
        problem = `InitProducerId failed: ${errorName(res.errorCode)}`;
        retriable = isRetriable(res.errorCode);
      } catch (err) {
        problem = `InitProducerId: ${errorMessage(err)}`;
      }
      if (!retriable || Date.now() > deadline) {
        this.producer = null;
        throw new ProduceError(problem, retriable);
      }
      this.opts.logger?.warn(`${problem}; retrying in ${backoffMs} ms`);
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }

  private seal(p: PartitionState): void {
    const batch = p.open;
    if (!batch || batch.count === 0) return;
    p.open = null;
    batch.seal(this.producerIds.id, this.producerIds.epoch, p.nextSequence, this.opts.compression, this.opts.transactional !== undefined);
    p.nextSequence = p.nextSequence > INT32_MAX - batch.count ? batch.count - (INT32_MAX - p.nextSequence) - 1 : p.nextSequence + batch.count;
    this.sealedAt.set(batch, Date.now());
    p.ready.push(batch);
  }

  private sealAll(): void {
    for (const p of this.partitions.values()) this.seal(p);
    this.kick();
  }

  /** Sends what can be sent now; runs one drain at a time, again if kicked meanwhile. */
  private kick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    void this.drain().finally(() => {
      this.draining = false;
    });
  }

  private async drain(): Promise<void> {
    do {
      this.drainAgain = false;
      const now = Date.now();
      const byNode = new Map<number, PartitionState[]>();
      for (const p of this.partitions.values()) {
        if (p.ready.length === 0 || p.retryPending || this.fatal) continue;
        if (p.notBefore > now) {
          // still backing off: drain again when it ends (whatever kicked this drain)
          this.backoffTimer.at(p.notBefore);
          continue;
        }
        let leader: number;
        try {
          leader = await this.cluster.leaderOf(p.topic, p.partition);
        } catch (err) {
          this.backOff(p, err as Error);
          continue;
        }
        const list = byNode.get(leader);
        if (list) list.push(p);
        else byNode.set(leader, [p]);
      }
      for (const [node, parts] of byNode) {
        while ((this.requestsInFlight.get(node) ?? 0) < this.maxInFlight) {
          const batches: ProducerBatch[] = [];
          for (const p of parts) {
            if (p.retryPending || p.ready.length === 0) continue;
            const b = p.ready.shift()!;
            p.unacked.push(b);
            p.inFlight++;
            batches.push(b);
          }
          if (batches.length === 0) break;
          void this.sendRequest(node, batches);
        }
      }
    } while (this.drainAgain);
  }

  private async sendRequest(node: number, batches: ProducerBatch[]): Promise<void> {
    this.requestsInFlight.set(node, (this.requestsInFlight.get(node) ?? 0) + 1);
    const byTopic = new Map<string, { index: number; records: Buffer }[]>();
    for (const b of batches) {
      b.attempts++;
      const list = byTopic.get(b.topic) ?? [];
      list.push({ index: b.partition, records: b.encoded! });
      byTopic.set(b.topic, list);
    }
    const answers = new Map<ProducerBatch, { code: number; baseOffset: number }>();
    let failure: Error | null = null;
    try {
      const conn = await this.cluster.connection(node);
      const res = await conn.send(ProduceApi.apiKey, PRODUCE_VERSION, {
        transactionalId: this.opts.transactional?.transactionalId ?? null,
        acks: -1,
        timeoutMs: this.requestTimeoutMs,
        topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
      });
      for (const t of res.responses) {
        for (const pr of t.partitionResponses) {
          const b = batches.find((x) => x.topic === t.name && x.partition === pr.index);
          if (b) answers.set(b, { code: pr.errorCode, baseOffset: pr.baseOffset });
        }
      }
    } catch (err) {
      failure = err as Error;
    } finally {
      this.requestsInFlight.set(node, (this.requestsInFlight.get(node) ?? 1) - 1);
    }
    for (const b of batches) {
      const p = this.partitionState(b.topic, b.partition);
      p.inFlight--;
      const answer = answers.get(b);
      if (answer && (answer.code === ErrorCode.NONE || answer.code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER)) {
        this.acknowledge(p, b, answer.code === ErrorCode.NONE ? answer.baseOffset : -1);
      } else {
        const code = answer?.code;
        const err = failure ?? new Error(`produce to ${b.topic}-${b.partition} failed: ${code === undefined ? 'no answer for the partition' : errorName(code)}`);
        const retriable = code === undefined || isRetriable(code) || (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && p.retryPending);
        if (retriable && Date.now() - (this.sealedAt.get(b) ?? 0) < this.deliveryTimeoutMs) {
          if (!p.retryPending) this.opts.logger?.warn(`${errorMessage(err)}; retrying ${p.unacked.length} batch(es) of ${b.topic}-${b.partition}`);
          p.retryPending = true;
          this.cluster.invalidate(b.topic);
        } else {
          this.failAll(new ProduceError(errorMessage(err), retriable));
        }
      }
      if (p.retryPending && p.inFlight === 0) this.requeue(p);
    }
    this.kick();
  }

  private acknowledge(p: PartitionState, b: ProducerBatch, baseOffset: number): void {
    const i = p.unacked.indexOf(b);
    if (i >= 0) p.unacked.splice(i, 1);
    p.backoffMs = 100;
    b.complete(baseOffset);
    this.buffered -= b.recordBytes;
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const w of waiters) w();
    if (this.buffered === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of idle) w.resolve();
    }
  }

  /** Puts every unacknowledged batch back in front of the queue, in sequence order, after a backoff. */
  private requeue(p: PartitionState): void {
    p.ready = [...p.unacked, ...p.ready];
    p.unacked = [];
    p.retryPending = false;
    this.backOff(p, null);
  }

  private backOff(p: PartitionState, err: Error | null): void {
    const oldest = p.ready[0];
    if (err && oldest && Date.now() - (this.sealedAt.get(oldest) ?? 0) >= this.deliveryTimeoutMs) {
      this.failAll(new ProduceError(`${p.topic}-${p.partition}: delivery timed out after ${this.deliveryTimeoutMs} ms: ${errorMessage(err)}`, true));
      return;
    }
    if (err) this.opts.logger?.warn(`${p.topic}-${p.partition}: ${errorMessage(err)}; retrying in ${p.backoffMs} ms`);
    p.notBefore = Date.now() + p.backoffMs;
    this.backoffTimer.at(p.notBefore);
    p.backoffMs = Math.min(p.backoffMs * 2, 5000);
  }

  private failAll(err: Error): void {
    if (this.fatal) return;
    this.fatal = err;
    for (const p of this.partitions.values()) {
      for (const b of [...p.unacked, ...p.ready]) b.fail(err);
      p.open?.fail(err);
      p.unacked = [];
      p.ready = [];
      p.open = null;
    }
    for (const w of this.capacityWaiters) w();
    this.capacityWaiters = [];
    for (const w of this.idleWaiters) w.reject(err);
    this.idleWaiters = [];
  }
}
