import type { SinkRecord } from '@millrace/connect-sdk';
import { changeImages, ChangeRecordError } from './change-images';
import { foldRecords } from './fold-records';
import { parseRollup } from './rollup-definition';

const record = (value: unknown, topic = 't'): SinkRecord => ({
  topic,
  kafkaPartition: 0,
  kafkaOffset: 7,
  originalTopic: topic,
  originalKafkaPartition: 0,
  originalKafkaOffset: 7,
  keySchema: null,
  key: null,
  valueSchema: null,
  value,
  timestamp: null,
  headers: [],
});

describe('change images of records', () => {
  test('Debezium envelopes: c/r add, u retracts and adds, d retracts; tombstones and flat records', () => {
    const row = { id: 1, x: 2 };
    expect(changeImages(record({ before: null, after: row, op: 'c' }))).toMatchObject({ before: null, after: row });
    expect(changeImages(record({ before: null, after: row, op: 'r' }))).toMatchObject({ before: null, after: row });
    expect(changeImages(record({ before: { id: 1, x: 1 }, after: row, op: 'u' }))).toMatchObject({ before: { id: 1, x: 1 }, after: row });
    expect(changeImages(record({ before: row, after: null, op: 'd' }))).toMatchObject({ before: row, after: null });
    expect(changeImages(record(null))).toMatchObject({ before: null, after: null });
    expect(changeImages(record(row))).toMatchObject({ before: null, after: row });
  });

  test('an update or delete without a before image is refused, saying how to capture it', () => {
    expect(() => changeImages(record({ before: null, after: { id: 1 }, op: 'u' }))).toThrow(ChangeRecordError);
    expect(() => changeImages(record({ before: null, after: null, op: 'd' }))).toThrow(/record t-0@7: a delete without a before image .* REPLICA IDENTITY FULL/);
    expect(() => changeImages(record({ before: null, after: null, op: 't' }))).toThrow(/op=t is not supported/);
  });

  test('records feed only the rollups of their topic', () => {
    const defaults = { timeZone: 'UTC', shiftCalendar: 'A@06:00' };
    const a = parseRollup('a', { 'rollup.a.measures': 'count', 'rollup.a.topics': 'orders' }, defaults);
    const b = parseRollup('b', { 'rollup.b.measures': 'count' }, defaults);
    const [da, db] = foldRecords([a, b], [record({ id: 1 }, 'orders'), record({ id: 2 }, 'parts'), record({ before: { id: 3 }, after: null, op: 'd' }, 'parts')]);
    expect([...da.groups.values()].map((g) => g.rows)).toEqual([1]);
    expect([...db.groups.values()].map((g) => g.rows)).toEqual([1]); // +1 +1 -1
  });
});
