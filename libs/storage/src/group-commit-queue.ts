import type { AppendBatchInfo, AppendValidationOk } from '@millrace/protocol';
import * as protocol from '@millrace/protocol';
import type { AsyncMutex } from './async-mutex';
import { InvalidRecordError, KafkaStorageError } from './errors';
import type { LocalLog } from './local-log';
import type { AppendedBatchInfo } from './log-segment';
import type { AppendOrigin, AppendResult } from './log-types';
import { ProducerStateManager, ProducerStateView } from './producer-state';
import { isAbortMarker, type AbortedTxn } from './transaction-index';

// Bound once: through the package index every use would be a getter call, and these run per batch.
const { BatchAttribute, ATTRIBUTES_OFFSET, computeBatchCrc, CRC_OFFSET, isControl, isTransactional, MAX_TIMESTAMP_OFFSET, setBaseOffset, setPartitionLeaderEpoch } =
  protocol;

/**
 * The write half of a partition's append pipeline: group commit.
 *
 * UnifiedLog.append validates a request's batches (headers + CRC, no record decoding)
 * synchronously, then `enqueue`s it. A single drain task, under the log mutex, takes
 * EVERY queued request, checks producer state, assigns offsets by rewriting each batch's
 * baseOffset and partitionLeaderEpoch in place (CRC unaffected; LogAppendTime topics also
 * get the timestamp-type bit and maxTimestamp, and the CRC recomputed), and writes all of
 * them with one writev. So concurrent producers share writes as well as fsyncs. A group
 * is split only where the log must roll between two requests.
 *
 * Each request settles on its own: a producer-state or offset error rejects that request
 * only; a failed write takes the log offline and rejects every request of the group.
 * After `close()` (under the mutex) the drain rejects whatever is still queued.
 */

/** What the queue answers for one request. */
export interface StagedAppend {
  result: AppendResult;
  /** flush.messages: acknowledge only once offsets below it are fsynced; null when not required. */
  durableTarget: number | null;
}

/** What the queue needs from the log that owns it. */
export interface GroupCommitHooks {
  /** Current log start offset, reported in results. */
  logStartOffset(): number;
  /** Rolls a new active segment at `newBase` (already under the mutex). */
  roll(newBase: number): Promise<void>;
  /**
   * Records the transactions aborted by the ABORT markers of one write (already in the
   * segment based at `segmentBase`), with the last stable offset after it. Under the mutex.
   */
  recordAbortedTxns?(segmentBase: number, entries: AbortedTxn[]): Promise<void>;
}

interface PendingAppend {
  buf: Buffer;
  batches: AppendBatchInfo[];
  recordCount: number;
  maxTimestamp: number;
  origin: AppendOrigin;
  leaderEpoch: number;
  resolve(v: StagedAppend): void;
  reject(err: unknown): void;
}

/** Requests accepted for one write to the active segment. */
interface Subgroup {
  view: ProducerStateView;
  buffers: Buffer[];
  infos: AppendedBatchInfo[];
  bytes: number;
  records: number;
  nextOffset: number;
  done: { req: PendingAppend; result: AppendResult }[];
  /** Transactions closed by ABORT markers of this write (lastStableOffset filled at commit). */
  aborted: AbortedTxn[];
}

export class GroupCommitQueue {
  private readonly queue: PendingAppend[] = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly local: LocalLog,
    private readonly producers: ProducerStateManager,
    private readonly mutex: AsyncMutex,
    private readonly hooks: GroupCommitHooks,
  ) {}

  /** Queues a validated request; resolves once it is written (or found a duplicate). */
  enqueue(buf: Buffer, v: AppendValidationOk, origin: AppendOrigin, leaderEpoch: number): Promise<StagedAppend> {
    return new Promise<StagedAppend>((resolve, reject) => {
      this.queue.push({
        buf,
        batches: v.batches,
        recordCount: v.recordCount,
        maxTimestamp: v.maxTimestamp,
        origin,
        leaderEpoch,
        resolve,
        reject,
      });
      this.scheduleDrain();
    });
  }

  /** Under the mutex: every request still queued, or queued later, is rejected. */
  close(): void {
    this.closed = true;
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.mutex.run(async () => {
      try {
        while (this.queue.length > 0) {
          const group = this.queue.splice(0, this.queue.length);
          await this.writeGroup(group);
        }
      } finally {
        this.draining = false;
      }
    });
  }

  private newSubgroup(): Subgroup {
    return {
      view: this.producers.view(),
      buffers: [],
      infos: [],
      bytes: 0,
      records: 0,
      nextOffset: this.local.logEndOffset,
      done: [],
      aborted: [],
    };
  }

  /** Writes a group of queued requests: usually one writev (more only across a roll). */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let sub = this.newSubgroup();
    try {
      for (const req of group) {
        const failure = this.local.offlineError;
        if (failure || this.closed) {
          req.reject(new KafkaStorageError(`log ${this.local.name} is ${failure ? 'offline' : 'closed'}`));
          continue;
        }
        const span = this.offsetSpan(req, sub.nextOffset);
        if (this.local.shouldRoll(sub.bytes, req.buf.length, span.last, req.maxTimestamp)) {
          await this.commitSubgroup(sub);
          await this.hooks.roll(span.first);
          sub = this.newSubgroup();
        }
        try {
          this.stage(req, sub);
        } catch (err) {
          req.reject(err);
        }
      }
      await this.commitSubgroup(sub);
    } catch (err) {
      const e = err instanceof KafkaStorageError ? err : new KafkaStorageError(`append to ${this.local.name} failed: ${String(err)}`, err);
      this.local.markOffline(e);
      this.local.logger.warn(`partition ${this.local.name}: taking the log offline after a write failure: ${e.message}`);
      // Settles every request of the group not settled yet (a settled promise ignores it).
      for (const req of group) req.reject(e);
    }
  }

  private offsetSpan(req: PendingAppend, next: number): { first: number; last: number } {
    if (req.origin === 'replication') {
      const lastH = req.batches[req.batches.length - 1].header;
      return { first: req.batches[0].header.baseOffset, last: lastH.baseOffset + lastH.lastOffsetDelta };
    }
    let n = next;
    for (const b of req.batches) n += b.header.lastOffsetDelta + 1;
    return { first: next, last: n - 1 };
  }

  /** Producer checks + offset assignment for one request; adds it to `sub` or throws. */
  private stage(req: PendingAppend, sub: Subgroup): void {
    const reqView = new ProducerStateView(sub.view);
    // Client appends are validated and de-duplicated; replicated ones just record state.
    const validate = req.origin === 'client';
    const firsts: number[] = [];
    const aborted: AbortedTxn[] = [];
    let next = sub.nextOffset;
    for (const b of req.batches) {
      const h = b.header;
      let first: number;
      if (req.origin === 'replication') {
        if (h.baseOffset < next) {
          throw new InvalidRecordError(
            `partition ${this.local.name}: replicated batch at offset ${h.baseOffset} is below the log end offset ${next}`,
          );
        }
        first = h.baseOffset;
      } else {
        first = next;
      }
      const last = first + h.lastOffsetDelta;
      if (h.producerId >= 0) {
        if (isControl(h.attributes)) {
          reqView.checkControlBatch(h, validate);
          // Only markers are decoded (one small record), never data batches.
          const open = reqView.lookup(h.producerId)?.currentTxnFirstOffset ?? -1;
          if (open >= 0 && isTransactional(h.attributes) && isAbortMarker(req.buf, b.pos)) {
            aborted.push({ producerId: h.producerId, firstOffset: open, lastOffset: first, lastStableOffset: -1 });
          }
        } else {
          const check = reqView.checkDataBatch(h, validate);
          if (check.duplicate) {
            const d = check.duplicate;
            sub.done.push({
              req,
              result: {
                baseOffset: d.firstOffset,
                lastOffset: d.lastOffset,
                recordCount: d.lastOffset - d.firstOffset + 1,
                logAppendTime: -1,
                maxTimestamp: d.timestamp,
                logStartOffset: this.hooks.logStartOffset(),
                duplicate: true,
              },
            });
            return;
          }
        }
        reqView.record(h, first, last);
      }
      firsts.push(first);
      next = last + 1;
    }
    // Accepted: rewrite the headers in place.
    const logAppendTime = req.origin !== 'replication' && this.local.config.messageTimestampType === 'LogAppendTime' ? this.local.now() : -1;
    let maxTs = -1;
    for (let k = 0; k < req.batches.length; k++) {
      const b = req.batches[k];
      const first = firsts[k];
      if (req.origin !== 'replication') {
        setBaseOffset(req.buf, b.pos, first);
        setPartitionLeaderEpoch(req.buf, b.pos, req.leaderEpoch);
        if (logAppendTime >= 0) {
          const attrs = req.buf.readInt16BE(b.pos + ATTRIBUTES_OFFSET) | BatchAttribute.TimestampTypeLogAppend;
          req.buf.writeInt16BE(attrs, b.pos + ATTRIBUTES_OFFSET);
          req.buf.writeBigInt64BE(BigInt(logAppendTime), b.pos + MAX_TIMESTAMP_OFFSET);
          req.buf.writeUInt32BE(computeBatchCrc(req.buf, b.pos, b.size), b.pos + CRC_OFFSET);
        }
      }
      const ts = logAppendTime >= 0 ? logAppendTime : b.header.maxTimestamp;
      if (ts > maxTs) maxTs = ts;
      sub.infos.push({ baseOffset: first, lastOffset: first + b.header.lastOffsetDelta, maxTimestamp: ts, size: b.size });
    }
    reqView.mergeIntoParent();
    for (const a of aborted) sub.aborted.push(a);
    sub.buffers.push(req.buf);
    sub.bytes += req.buf.length;
    sub.records += req.recordCount;
    sub.nextOffset = next;
    sub.done.push({
      req,
      result: {
        baseOffset: firsts[0],
        lastOffset: next - 1,
        recordCount: req.recordCount,
        logAppendTime,
        maxTimestamp: maxTs,
        logStartOffset: this.hooks.logStartOffset(),
        duplicate: false,
      },
    });
  }

  /** Writes `sub` (if it holds anything) and settles its requests. */
  private async commitSubgroup(sub: Subgroup): Promise<void> {
    if (sub.buffers.length > 0) {
      await this.local.append(sub.buffers, sub.infos, sub.nextOffset, sub.records);
      sub.view.mergeIntoParent();
      this.producers.mapEndOffset = sub.nextOffset;
      if (sub.aborted.length > 0 && this.hooks.recordAbortedTxns) {
        // Any transaction still open started at or after this bound, which lets fetches stop early.
        const lso = this.producers.firstUnstableOffset() ?? sub.nextOffset;
        for (const a of sub.aborted) a.lastStableOffset = lso;
        await this.hooks.recordAbortedTxns(this.local.activeSegment.baseOffset, sub.aborted);
      }
    }
    const mustFlush = this.local.flushMessagesReached;
    const flushed = this.local.recoveryPoint;
    for (const { req, result } of sub.done) {
      const target = result.lastOffset + 1;
      req.resolve({ result, durableTarget: mustFlush && target > flushed ? target : null });
    }
    sub.done = [];
    sub.aborted = [];
    sub.buffers = [];
    sub.infos = [];
  }
}
