import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, UNCHANGED_COLUMNS_HEADER, type ConnectSchema, type SinkRecord, type SinkTaskContext } from '@millrace/connect-sdk';
import { sinkRecord, structSchema } from '@millrace/connect-sdk/testing';
import { DuckDbFileBusyError } from './duckdb-file-lock';
import { databaseFile } from './duckdb-sink-config';
import { DuckDbSinkTask } from './duckdb-sink-task';

/**
 * The DuckDB sink task against a real (embedded) DuckDB file in a temp dir: no server,
 * so these run with the unit tests. Results are read back by opening the file after the
 * task closed it (DuckDB has one writer per file).
 */
const quiet = () => undefined;
const context = (connectorName: string, taskId = 0): SinkTaskContext => ({ connectorName, taskId, logger: { info: quiet, warn: quiet, error: quiet, debug: quiet }, pause: quiet, resume: quiet });
const req = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const opt = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: true, ...extra });
const KEY = structSchema([['id', req('int64')]]);
const ROW = structSchema([['id', req('int64')], ['name', opt('string')], ['qty', opt('int32')]], { name: 'Row' });

let dir: string;
const tasks: DuckDbSinkTask[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckdb-sink-'));
});
afterEach(async () => {
  for (const t of tasks.splice(0)) await t.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function open(connector: string, config: Record<string, string> = {}): Promise<DuckDbSinkTask> {
  const task = new DuckDbSinkTask();
  await task.open({ 'duckdb.path': path.join(dir, 'w.duckdb'), 'auto.create': 'true', 'auto.evolve': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'delete.enabled': 'true', ...config }, context(connector));
  tasks.push(task);
  return task;
}

function rec(topic: string, offset: number, value: Record<string, unknown> | null, extra: Partial<SinkRecord> = {}): SinkRecord {
  return sinkRecord({ topic, kafkaOffset: offset, keySchema: KEY, key: { id: value?.id ?? extra.key }, valueSchema: value === null ? null : ROW, value, ...extra });
}

async function query(sql: string, task?: DuckDbSinkTask): Promise<Record<string, unknown>[]> {
  if (task) await task.teardown();
  const instance = await DuckDBInstance.create(path.join(dir, 'w.duckdb'));
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('duckdb-sink task', () => {
  it('maps every Connect and Debezium type to a DuckDB column and value', async () => {
    const schema = structSchema([
      ['id', req('int64')],
      ['i8', req('int8')],
      ['i16', req('int16')],
      ['i32', req('int32')],
      ['big', req('int64')],
      ['f32', req('float32')],
      ['f64', req('float64')],
      ['flag', req('boolean')],
      ['label', req('string')],
      ['blob', req('bytes')],
      ['amount', req('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '2', 'connect.decimal.precision': '12' } })],
      ['wide', req('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '3' } })],
      ['vsd', opt('struct', { name: 'io.debezium.data.VariableScaleDecimal', fields: [{ name: 'scale', index: 0, schema: req('int32') }, { name: 'value', index: 1, schema: req('bytes') }] })],
      ['day', req('int32', { name: DATE_LOGICAL })],
      ['clock', req('int32', { name: TIME_LOGICAL })],
      ['at', req('int64', { name: TIMESTAMP_LOGICAL })],
      ['dday', req('int32', { name: 'io.debezium.time.Date' })],
      ['dmicro', req('int64', { name: 'io.debezium.time.MicroTime' })],
      ['dts', req('int64', { name: 'io.debezium.time.MicroTimestamp' })],
      ['dzts', req('string', { name: 'io.debezium.time.ZonedTimestamp' })],
      ['dztime', req('string', { name: 'io.debezium.time.ZonedTime' })],
    ]);
    const task = await open('types', { 'insert.mode': 'insert', 'pk.mode': 'record_value', 'pk.fields': 'id', 'delete.enabled': 'false' });
    const value = {
      id: 1, i8: -8, i16: 1600, i32: -32000, big: 9007199254740993n, f32: 1.5, f64: 2.25, flag: true, label: "it's", blob: Buffer.from([0, 255]),
      amount: '1234567890.12', wide: '-12345678901234567890.125', vsd: { scale: 5, value: Buffer.from('04cb2f', 'hex') },
      day: new Date(Date.UTC(2024, 1, 29)), clock: new Date(Date.UTC(1970, 0, 1, 13, 14, 15, 678)), at: new Date(Date.UTC(2024, 5, 1, 10, 0, 0, 123)),
      dday: 19_000, dmicro: 3_600_000_001, dts: 1_717_236_000_123_456, dzts: '2024-06-01T12:00:00.123456+02:00', dztime: '10:00:00.5+02:00',
    };
    await task.write([sinkRecord({ topic: 'all_types', valueSchema: schema, value })]);
    await task.flush();
    const columns = await query(`SELECT column_name AS c, data_type AS t FROM duckdb_columns() WHERE table_name = 'all_types' ORDER BY column_index`, task);
    expect(Object.fromEntries(columns.map((r) => [r.c, r.t]))).toEqual({
      id: 'BIGINT', i8: 'TINYINT', i16: 'SMALLINT', i32: 'INTEGER', big: 'BIGINT', f32: 'FLOAT', f64: 'DOUBLE', flag: 'BOOLEAN', label: 'VARCHAR', blob: 'BLOB',
      amount: 'DECIMAL(12,2)', wide: 'DECIMAL(38,3)', vsd: 'DECIMAL(38,18)', day: 'DATE', clock: 'TIME', at: 'TIMESTAMP', dday: 'DATE', dmicro: 'TIME', dts: 'TIMESTAMP',
      dzts: 'TIMESTAMP WITH TIME ZONE', dztime: 'TIME WITH TIME ZONE',
    });
    const [row] = await query(
      `SELECT i8, i16, i32, big::VARCHAR AS big, f32, f64, flag, label, hex(blob) AS blob, amount::VARCHAR AS amount, wide::VARCHAR AS wide, vsd::VARCHAR AS vsd, day::VARCHAR AS day, clock::VARCHAR AS clock, ` +
        `"at"::VARCHAR AS "at", dday::VARCHAR AS dday, dmicro::VARCHAR AS dmicro, dts::VARCHAR AS dts, epoch_us(dzts)::VARCHAR AS dzts, dztime::VARCHAR AS dztime FROM all_types`,
    );
    expect(row).toEqual({
      i8: -8, i16: 1600, i32: -32000, big: '9007199254740993', f32: 1.5, f64: 2.25, flag: true, label: "it's", blob: '00FF', amount: '1234567890.12', wide: '-12345678901234567890.125',
      vsd: '3.141590000000000000', day: '2024-02-29', clock: '13:14:15.678', at: '2024-06-01 10:00:00.123', dday: '2022-01-08', dmicro: '01:00:00.000001', dts: '2024-06-01 10:00:00.123456',
      dzts: String(Date.UTC(2024, 5, 1, 10, 0, 0, 123) * 1000 + 456), dztime: '10:00:00.5+02',
    });
  });

  it('applies Debezium envelopes (create, update, delete) and flat tombstones by key; re-delivered records are skipped', async () => {
    const envelope = structSchema([['before', { ...ROW, optional: true }], ['after', { ...ROW, optional: true }], ['op', req('string')]], { name: 'erp.public.items.Envelope' });
    const change = (offset: number, op: string, before: unknown, after: unknown): SinkRecord =>
      sinkRecord({ topic: 'items', kafkaOffset: offset, keySchema: KEY, key: { id: ((after ?? before) as { id: number }).id }, valueSchema: envelope, value: { before, after, op } });
    const batch = [
      change(0, 'r', null, { id: 1, name: 'a', qty: 1 }),
      change(1, 'c', null, { id: 2, name: 'b', qty: 2 }),
      change(2, 'c', null, { id: 3, name: 'c', qty: 3 }),
      change(3, 'u', { id: 1, name: 'a', qty: 1 }, { id: 1, name: 'a2', qty: 10 }),
      change(4, 'd', { id: 2, name: 'b', qty: 2 }, null),
      rec('items', 5, null, { key: { id: 2 } }), // Debezium's tombstone after the delete
      rec('items', 6, null, { key: { id: 3 } }), // a flat tombstone
      change(7, 'c', null, { id: 3, name: 'c again', qty: 30 }),
    ];
    const task = await open('cdc');
    await task.write(batch);
    await task.flush();
    await task.write(batch.slice(2)); // the runtime re-delivers from an older offset
    await task.flush();
    expect(task.stats.skipped).toBe(6);
    const rows = await query('SELECT id, name, qty FROM items ORDER BY id', task);
    expect(rows).toEqual([{ id: '1', name: 'a2', qty: 10 }, { id: '3', name: 'c again', qty: 30 }]);
    const offsets = await query(`SELECT topic, kafka_partition, next_offset FROM millrace_sink_offsets WHERE connector_name = 'cdc'`);
    expect(offsets).toEqual([{ topic: 'items', kafka_partition: 0, next_offset: '8' }]);
  });

  it('seeks to the stored offsets after a restart and resumes exactly there', async () => {
    let task = await open('resume', { 'insert.mode': 'insert', 'pk.mode': 'none', 'delete.enabled': 'false' });
    await task.write([0, 1, 2].map((i) => rec('log', i, { id: i, name: `n${i}`, qty: i })));
    await task.flush();
    await task.write([3].map((i) => rec('log', i, { id: i, name: `n${i}`, qty: i }))); // never flushed: lost with the task
    await task.teardown();
    task = await open('resume', { 'insert.mode': 'insert', 'pk.mode': 'none', 'delete.enabled': 'false' });
    const seek = await task.partitionsAssigned([{ topic: 'log', partition: 0 }, { topic: 'log', partition: 1 }]);
    expect([...seek]).toEqual([['log-0', 3], ['log-1', null]]);
    await task.write([2, 3, 4].map((i) => rec('log', i, { id: i, name: `n${i}`, qty: i })));
    await task.flush();
    expect(await query('SELECT count(*)::INT AS n, sum(id)::INT AS s FROM log', task)).toEqual([{ n: 5, s: 10 }]);
  });

  it('keeps columns a record lists as unchanged, and auto.evolve adds and widens columns', async () => {
    const task = await open('toast');
    await task.write([rec('docs', 0, { id: 1, name: 'big text', qty: 1 })]);
    await task.flush();
    const unchanged = { ...rec('docs', 1, { id: 1, name: '__debezium_unavailable_value', qty: 2 }), headers: [{ key: UNCHANGED_COLUMNS_HEADER, value: '["name"]' }] };
    const v2 = structSchema([['id', req('int64')], ['name', opt('string')], ['qty', opt('int64')], ['extra', opt('string')]], { name: 'Row' });
    await task.write([unchanged, sinkRecord({ topic: 'docs', kafkaOffset: 2, keySchema: KEY, key: { id: 2 }, valueSchema: v2, value: { id: 2, name: 'two', qty: 5_000_000_000, extra: 'x' } })]);
    await task.flush();
    expect(await query('SELECT id, name, qty::VARCHAR AS qty, extra FROM docs ORDER BY id', task)).toEqual([
      { id: '1', name: 'big text', qty: '2', extra: null },
      { id: '2', name: 'two', qty: '5000000000', extra: 'x' },
    ]);
  });

  it('a bad value names its column; neither rows nor offsets of its batch are written', async () => {
    const schema = structSchema([['id', req('int64')], ['at', req('string', { name: 'io.debezium.time.ZonedTimestamp' })]]);
    const task = await open('bad');
    await task.write([sinkRecord({ topic: 'events', kafkaOffset: 0, keySchema: KEY, key: { id: 1 }, valueSchema: schema, value: { id: 1, at: 'yesterday' } })]);
    await expect(task.flush()).rejects.toThrow(/column "at" of "events".*yesterday/);
    expect(await query(`SELECT (SELECT count(*) FROM events)::INT AS n, (SELECT count(*) FROM millrace_sink_offsets)::INT AS o`, task)).toEqual([{ n: 0, o: 0 }]);
  });

  it('one writer per file: a second task wanting the same file gets an error naming the holder', async () => {
    await open('first');
    const second = new DuckDbSinkTask();
    const opening = second.open({ 'duckdb.path': path.join(dir, 'w.duckdb') }, context('second', 0));
    await expect(opening).rejects.toThrow(DuckDbFileBusyError);
    await expect(opening).rejects.toThrow(/in use by connector first task 0 .*one writer per file/);
  });

  it('defaults the file to <MILLRACE_DATA_DIR>/duckdb/<connector>.duckdb', () => {
    expect(databaseFile({ path: '' }, 'erp warehouse', { MILLRACE_DATA_DIR: '/srv/millrace' })).toBe('/srv/millrace/duckdb/erp_warehouse.duckdb');
    expect(databaseFile({ path: '' }, 'w', {})).toBe(path.resolve('data/duckdb/w.duckdb'));
    expect(databaseFile({ path: '/tmp/x.duckdb' }, 'w', {})).toBe('/tmp/x.duckdb');
  });
});
