import { UNCHANGED_COLUMNS_HEADER, type SinkRecord } from '@millrace/connect-sdk';
import type { SinkColumn } from './fields-metadata';
import { groupByUnchanged, unchangedColumnNames } from './unchanged-columns';

const col = (name: string, kind: 'key' | 'value'): SinkColumn => ({ name, schema: { type: 'string', optional: true }, source: kind === 'key' ? { kind: 'key', field: name } : { kind: 'value', field: name } });
const columns = [col('id', 'key'), col('a', 'value'), col('big', 'value'), col('doc', 'value')];

const record = (unchanged?: string[] | string): SinkRecord => ({
  topic: 't', kafkaPartition: 0, kafkaOffset: 0, originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: 0,
  keySchema: null, key: null, valueSchema: null, value: {}, timestamp: null,
  headers: unchanged === undefined ? [] : [{ key: UNCHANGED_COLUMNS_HEADER, value: Buffer.from(typeof unchanged === 'string' ? unchanged : JSON.stringify(unchanged)) }],
});

describe('unchanged columns', () => {
  it('reads the header, ignoring one that is not a JSON array of names', () => {
    expect(unchangedColumnNames(record(['big']))).toEqual(['big']);
    expect(unchangedColumnNames(record('not json'))).toBeNull();
    expect(unchangedColumnNames(record('{"big":1}'))).toBeNull();
    expect(unchangedColumnNames(record())).toBeNull();
  });

  it('is null when no record carries the header (the usual write path)', () => {
    expect(groupByUnchanged([record(), record()], [['1', 'a', 'b', 'c'], ['2', 'a', 'b', 'c']], columns, 1)).toBeNull();
  });

  it('groups rows by their unchanged columns and leaves those columns out', () => {
    const groups = groupByUnchanged(
      [record(['big']), record(), record(['big', 'doc']), record(['big'])],
      [['1', 'a1', 'P', 'd1'], ['2', 'a2', 'B2', 'd2'], ['3', 'a3', 'P', 'P'], ['4', 'a4', 'P', 'd4']],
      columns,
      1,
    );
    expect(groups).toEqual([
      { columns: [0, 1, 3], rows: [['1', 'a1', 'd1'], ['4', 'a4', 'd4']] },
      { columns: [0, 1, 2, 3], rows: [['2', 'a2', 'B2', 'd2']] },
      { columns: [0, 1], rows: [['3', 'a3']] },
    ]);
  });

  it('a later unchanged column of the same key takes the value set earlier in the batch; key columns are never left out', () => {
    const groups = groupByUnchanged(
      [record(), record(['big', 'id']), record(['doc']), record(['doc'])],
      [['1', 'a1', 'NEW', 'd1'], ['1', 'a2', 'P', 'd2'], ['2', 'x', 'y', 'P'], ['2', 'x2', 'y2', 'P']],
      columns,
      1,
    );
    expect(groups).toEqual([
      { columns: [0, 1, 2, 3], rows: [['1', 'a2', 'NEW', 'd2']] },
      { columns: [0, 1, 2], rows: [['2', 'x2', 'y2']] },
    ]);
  });
});
