import { buildBatch, CompressionType, recordBodySize, varintSize, type RecordInput } from '@millrace/protocol';

/** Bytes a record adds to a batch, estimated without a timestamp delta (a few bytes low at most). */
export function estimateRecordBytes(record: RecordInput): number {
  const body = recordBodySize(record, 0, 0) + 8;
  return varintSize(body) + body;
}

/** One `append()` call's records: where their offsets go and whom to tell. */
export interface AppendRequest {
  readonly offsets: number[];
  remaining: number;
  readonly resolve: (offsets: number[]) => void;
  readonly reject: (err: Error) => void;
  settled: boolean;
}

/** A run of an AppendRequest's records inside one batch. */
interface Slice {
  readonly request: AppendRequest;
  /** Index of the slice's first record in `request.offsets`. */
  readonly from: number;
  readonly count: number;
  /** Index of the slice's first record in the batch. */
  readonly at: number;
}

/**
 * The records of one partition collected for one RecordBatch v2, then sealed with the
 * producer's id, epoch and base sequence and encoded ONCE: retries resend the same bytes
 * with the same sequence numbers, which is what lets the broker drop a retried batch it
 * already appended (idempotence).
 *
 * Contracts:
 * - `add()` only before `seal()`; `bytes` is the estimated encoded size so far.
 * - `complete(baseOffset)` gives every record of every slice its offset
 *   (baseOffset + its index in the batch) and resolves an AppendRequest once all its
 *   slices (possibly spread over several batches) are done; `fail(err)` rejects the
 *   AppendRequests of the batch (each at most once).
 */
export class ProducerBatch {
  readonly records: RecordInput[] = [];
  private readonly slices: Slice[] = [];
  /** Estimated bytes of the records (estimateRecordBytes), without the batch header. */
  recordBytes = 0;
  baseSequence = -1;
  encoded: Buffer | null = null;
  /** Times this batch was sent; > 1 after a retry. */
  attempts = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Estimated encoded size: the 61-byte header and the records. */
  get bytes(): number {
    return 61 + this.recordBytes;
  }

  get count(): number {
    return this.records.length;
  }

  add(request: AppendRequest, from: number, records: readonly RecordInput[], bytes: number): void {
    if (this.encoded) throw new Error('batch already sealed');
    this.slices.push({ request, from, count: records.length, at: this.records.length });
    for (const r of records) this.records.push(r);
    this.recordBytes += bytes;
  }

  seal(producerId: number, producerEpoch: number, baseSequence: number, compression = CompressionType.None, transactional = false): Buffer {
    this.baseSequence = baseSequence;
    this.encoded = buildBatch({ baseOffset: 0, records: this.records, producerId, producerEpoch, baseSequence, compression, transactional });
    return this.encoded;
  }

  complete(baseOffset: number): void {
    for (const s of this.slices) {
      const req = s.request;
      if (req.settled) continue;
      for (let i = 0; i < s.count; i++) req.offsets[s.from + i] = baseOffset < 0 ? -1 : baseOffset + s.at + i;
      req.remaining -= s.count;
      if (req.remaining === 0) {
        req.settled = true;
        req.resolve(req.offsets);
      }
    }
  }

  fail(err: Error): void {
    for (const s of this.slices) {
      if (s.request.settled) continue;
      s.request.settled = true;
      s.request.reject(err);
    }
  }
}
