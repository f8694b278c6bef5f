import { decodeBatch, iterateBatches } from '@millrace/protocol';
import type { Partition } from './partition';

/**
 * Every batch of a partition's log from its log start to its log end (as they are when
 * the scan starts), decoded, in offset order: how a coordinator reads its internal topic
 * back (loading `__consumer_offsets` or `__transaction_state`).
 */
export async function* scanLog(p: Partition): AsyncGenerator<ReturnType<typeof decodeBatch>> {
  let offset = p.logStartOffset;
  const end = p.logEndOffset;
  while (offset < end) {
    const read = await p.log.read(offset, 1 << 20, { maxOffset: end });
    if (read.records.length === 0) break;
    for (const view of iterateBatches(read.records)) {
      const batch = decodeBatch(read.records, view.pos);
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
      yield batch;
    }
  }
}
