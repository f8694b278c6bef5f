import { ControlRecordType, decodeBatches, isControl, isTransactional, parseControlRecord, type DecodedBatch } from '@millrace/protocol';

/**
 * One record as the reader hands it over. Key, value and header values are copies (safe
 * to keep) unless the reader was told not to copy: then they are views into the fetch
 * response (never reused, so still safe to keep, but keeping one keeps that response's
 * memory alive).
 */
export interface ReaderRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

/**
 * Fetch isolation (Kafka's isolation.level). `read_uncommitted` (Fetch isolation_level 0)
 * reads up to the high watermark, records of open and aborted transactions included;
 * `read_committed` (isolation_level 1) reads up to the last stable offset (LSO) and
 * drops the records of aborted transactions.
 */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export const ISOLATION_LEVEL_CODE: Readonly<Record<IsolationLevel, number>> = { read_uncommitted: 0, read_committed: 1 };

/** An entry of a Fetch response's aborted_transactions: a producer's aborted transaction and its first offset. */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** What one fetched partition yields: the records to hand over and the offset to fetch next. */
export interface FetchedRecords {
  records: ReaderRecord[];
  nextOffset: number;
}

/**
 * Turns the record set of one fetched partition into the records a reader hands over.
 *
 * Contracts:
 * - Records below `fetchOffset` (the head of a batch that started earlier) are dropped;
 *   `nextOffset` is past the last batch in the set, or `fetchOffset` when it held none.
 * - `copy` false hands over the decoded records themselves (views, see ReaderRecord).
 * - Control batches (transaction markers) are never handed over, but move `nextOffset`.
 * - With `read_committed`, the batches of aborted transactions are dropped as Kafka's
 *   consumer does: an aborted transaction of producer P listed with first offset F makes
 *   every transactional batch of P from F on aborted, until P's ABORT marker.
 *   (With `read_uncommitted` the broker sends no aborted list and nothing is dropped.)
 */
export function readFetchedRecords(
  recordSet: Buffer | null,
  fetchOffset: number,
  isolation: IsolationLevel,
  aborted: readonly AbortedTransaction[] | null,
  copy = true,
): FetchedRecords {
  const records: ReaderRecord[] = [];
  let nextOffset = fetchOffset;
  if (!recordSet || recordSet.length === 0) return { records, nextOffset };
  const pending = isolation === 'read_committed' ? [...(aborted ?? [])].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  const abortedProducers = new Set<number>();
  let nextAborted = 0;
  for (const batch of decodeBatches(recordSet)) {
    const { baseOffset, lastOffsetDelta, attributes, producerId } = batch.header;
    const lastOffset = baseOffset + lastOffsetDelta;
    nextOffset = Math.max(nextOffset, lastOffset + 1);
    if (isolation === 'read_committed' && producerId >= 0) {
      for (; nextAborted < pending.length && pending[nextAborted].firstOffset <= lastOffset; nextAborted++) abortedProducers.add(pending[nextAborted].producerId);
      if (isAbortMarker(batch)) abortedProducers.delete(producerId);
      else if (isTransactional(attributes) && abortedProducers.has(producerId)) continue;
    }
    if (isControl(attributes)) continue;
    for (const r of batch.records) {
      if (r.offset < fetchOffset) continue;
      if (!copy) {
        records.push(r);
        continue;
      }
      records.push({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key === null ? null : Buffer.from(r.key),
        value: r.value === null ? null : Buffer.from(r.value),
        headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })),
      });
    }
  }
  return { records, nextOffset };
}

function isAbortMarker(batch: DecodedBatch): boolean {
  if (!isControl(batch.header.attributes) || batch.records.length === 0) return false;
  return parseControlRecord(batch.records[0]).type === ControlRecordType.Abort;
}
