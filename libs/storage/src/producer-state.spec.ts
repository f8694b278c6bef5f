import { readBatchHeader } from '@millrace/protocol';
import { lastSequenceOf, ProducerStateManager } from './producer-state';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-state-snapshot';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-file';
import { testBatch } from './test-support/batch-fixtures';

const header = (seq: number, count = 1, epoch = 0, pid = 5, transactional = false) =>
  readBatchHeader(testBatch({ count, producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional }), 0);

describe('producer state', () => {
  it('computes wrapped last sequences like Kafka', () => {
    expect(lastSequenceOf(0, 4)).toBe(4);
    expect(lastSequenceOf(2147483647, 0)).toBe(2147483647);
    expect(lastSequenceOf(2147483647, 1)).toBe(0);
    expect(lastSequenceOf(2147483640, 10)).toBe(2);
  });

  it('stages updates in views and commits them only when merged', () => {
    const m = new ProducerStateManager();
    const v = m.view();
    expect(v.checkDataBatch(header(0, 3), true)).toEqual({ duplicate: null });
    v.record(header(0, 3), 0, 2);
    expect(m.lookup(5)).toBeUndefined();
    expect(v.lookup(5)?.batches).toHaveLength(1);
    v.mergeIntoParent();
    expect(m.lookup(5)?.batches[0]).toMatchObject({ firstSeq: 0, lastSeq: 2, firstOffset: 0, lastOffset: 2 });
  });

  it('tracks open transactions for the last stable offset', () => {
    const m = new ProducerStateManager();
    const v = m.view();
    v.record(header(0, 2, 0, 8, true), 10, 11);
    v.record(header(0, 1, 0, 9, true), 12, 12);
    v.mergeIntoParent();
    expect(m.firstUnstableOffset()).toBe(10);
  });

  it('round-trips snapshots and rejects a corrupt one', () => {
    const m = new ProducerStateManager();
    const v = m.view();
    for (let s = 0; s < 7; s++) v.record(header(s), s, s);
    v.mergeIntoParent();
    const buf = encodeProducerSnapshot(7, m.entries());
    const back = decodeProducerSnapshot(buf);
    expect(back.offset).toBe(7);
    expect(back.entries).toEqual(m.entries());
    expect(back.entries[0].batches).toHaveLength(5);
    buf[buf.length - 1] ^= 1;
    expect(() => decodeProducerSnapshot(buf)).toThrow(/CRC/);
  });

  it("uses Kafka's checkpoint text format", () => {
    const text = encodeCheckpoint(new Map([['a-0', { topic: 'a', partition: 0, offset: 12 }]]));
    expect(text).toBe('0\n1\na 0 12\n');
    expect(decodeCheckpoint(text).get('a-0')?.offset).toBe(12);
    expect(() => decodeCheckpoint('0\n2\na 0 1\n')).toThrow();
  });
});
