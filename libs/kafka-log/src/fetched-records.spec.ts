import { buildBatch, buildControlBatch, ControlRecordType } from '@millrace/protocol';
import { readFetchedRecords } from './fetched-records';

const plain = (baseOffset: number, values: string[]): Buffer => buildBatch({ baseOffset, records: values.map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(v), timestamp: 1 })) });
const txn = (baseOffset: number, producerId: number, values: string[]): Buffer =>
  buildBatch({ baseOffset, producerId, producerEpoch: 0, transactional: true, records: values.map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(v), timestamp: 1 })) });
const marker = (baseOffset: number, producerId: number, type: ControlRecordType.Abort | ControlRecordType.Commit): Buffer =>
  buildControlBatch({ baseOffset, producerId, producerEpoch: 0, type, coordinatorEpoch: 0, timestamp: 1 });
const values = (set: Buffer, from: number, isolation: 'read_committed' | 'read_uncommitted', aborted: { producerId: number; firstOffset: number }[] = []) => {
  const r = readFetchedRecords(set, from, isolation, aborted);
  return { values: r.records.map((x) => `${x.offset}:${String(x.value)}`), next: r.nextOffset };
};

describe('readFetchedRecords', () => {
  it('hands over records from the fetch offset on and skips control batches', () => {
    const set = Buffer.concat([plain(0, ['a', 'b', 'c']), txn(3, 7, ['d']), marker(4, 7, ControlRecordType.Commit)]);
    expect(values(set, 1, 'read_uncommitted')).toEqual({ values: ['1:b', '2:c', '3:d'], next: 5 });
  });

  it('copies record bytes by default, and hands over views into the record set with copy false', () => {
    const set = plain(0, ['a', 'b']);
    const copied = readFetchedRecords(set, 0, 'read_uncommitted', null).records;
    const viewed = readFetchedRecords(set, 0, 'read_uncommitted', null, false).records;
    expect(viewed.map((r) => [r.offset, String(r.key), String(r.value)])).toEqual(copied.map((r) => [r.offset, String(r.key), String(r.value)]));
    set.fill(0x7a); // 'z' over the whole set: views see it, copies do not
    expect(String(viewed[1].value)).toBe('z');
    expect(String(copied[1].value)).toBe('b');
  });

  it('moves past a set that holds only a marker, and stays put on an empty set', () => {
    expect(values(marker(9, 7, ControlRecordType.Commit), 9, 'read_committed')).toEqual({ values: [], next: 10 });
    expect(readFetchedRecords(Buffer.alloc(0), 4, 'read_committed', [])).toEqual({ records: [], nextOffset: 4 });
  });

  it('read_committed drops the batches of aborted transactions up to their abort marker, and keeps committed ones', () => {
    const set = Buffer.concat([
      txn(0, 7, ['x1']),
      txn(1, 8, ['y1']),
      txn(2, 7, ['x2']),
      marker(3, 7, ControlRecordType.Abort),
      marker(4, 8, ControlRecordType.Commit),
      txn(5, 7, ['x3']),
      marker(6, 7, ControlRecordType.Commit),
      plain(7, ['z']),
    ]);
    expect(values(set, 0, 'read_committed', [{ producerId: 7, firstOffset: 0 }])).toEqual({ values: ['1:y1', '5:x3', '7:z'], next: 8 });
    expect(values(set, 0, 'read_uncommitted').values).toEqual(['0:x1', '1:y1', '2:x2', '5:x3', '7:z']);
  });
});
