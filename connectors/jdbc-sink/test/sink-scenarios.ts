import {
  DATE_LOGICAL,
  DECIMAL_LOGICAL,
  TIME_LOGICAL,
  TIMESTAMP_LOGICAL,
  type ConnectSchema,
  type SinkRecord,
  type SinkTaskContext,
} from '@millrace/connect-sdk';
import { JdbcSinkTask } from '../src/jdbc-sink-task';
import { OFFSETS_TABLE } from '../src/offset-store';

/**
 * Integration scenarios shared by the PostgreSQL and MariaDB suites: they drive a
 * JdbcSinkTask directly (no runtime) against a real server and read the results back
 * through `Probe`, which returns every column as text (bytes as \x-hex) so the
 * expectations are the same for both databases (except booleans: `bool`).
 */
export interface Probe {
  query(sql: string): Promise<Record<string, string | null>[]>;
  close(): Promise<void>;
}

export interface ScenarioTarget {
  readonly kind: 'postgres' | 'mariadb';
  readonly url: string;
  quote(name: string): string;
  bool(value: boolean): string;
  probe(): Promise<Probe>;
}

const f = (name: string, index: number, schema: ConnectSchema) => ({ name, index, schema });
const req = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const opt = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: true, ...extra });

export const KEY_SCHEMA: ConnectSchema = { type: 'struct', optional: false, name: 'Key', fields: [f('id', 0, req('int64'))] };

export const ALL_TYPES_SCHEMA: ConnectSchema = {
  type: 'struct',
  optional: false,
  name: 'AllTypes',
  fields: [
    f('id', 0, req('int64')),
    f('i8', 1, req('int8')),
    f('i16', 2, req('int16')),
    f('i32', 3, req('int32')),
    f('i64', 4, req('int64')),
    f('f32', 5, req('float32')),
    f('f64', 6, req('float64')),
    f('flag', 7, req('boolean')),
    f('label', 8, req('string')),
    f('blob', 9, req('bytes')),
    f('amount', 10, req('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '3' } })),
    f('day', 11, req('int32', { name: DATE_LOGICAL })),
    f('clock', 12, req('int32', { name: TIME_LOGICAL })),
    f('at', 13, req('int64', { name: TIMESTAMP_LOGICAL })),
    f('note', 14, opt('string')),
  ],
};

const SIMPLE_V1: ConnectSchema = { type: 'struct', optional: false, name: 'Row', fields: [f('id', 0, req('int64')), f('name', 1, opt('string'))] };
const SIMPLE_V2: ConnectSchema = { ...SIMPLE_V1, fields: [...(SIMPLE_V1.fields ?? []), f('score', 2, opt('int32'))] };
const SIMPLE_V3: ConnectSchema = { ...SIMPLE_V2, fields: [...(SIMPLE_V2.fields ?? []), f('mandatory', 3, req('string'))] };

/** A sink record; `consumedTopic` sets its original topic (as if a router renamed it to `topic`), default `topic`. */
export function record(
  topic: string,
  offset: number,
  value: Record<string, unknown> | null,
  opts: { partition?: number; key?: unknown; valueSchema?: ConnectSchema | null; keySchema?: ConnectSchema | null; consumedTopic?: string } = {},
): SinkRecord {
  return {
    topic,
    kafkaPartition: opts.partition ?? 0,
    kafkaOffset: offset,
    originalTopic: opts.consumedTopic ?? topic,
    originalKafkaPartition: opts.partition ?? 0,
    originalKafkaOffset: offset,
    keySchema: opts.keySchema === undefined ? KEY_SCHEMA : opts.keySchema,
    key: opts.key === undefined ? { id: value?.id ?? offset } : opts.key,
    valueSchema: value === null ? null : opts.valueSchema === undefined ? SIMPLE_V1 : opts.valueSchema,
    value,
    timestamp: null,
    headers: [],
  };
}

export function context(connectorName: string): SinkTaskContext {
  const quiet = () => undefined;
  return { connectorName, taskId: 0, logger: { info: quiet, warn: quiet, error: quiet, debug: quiet }, pause: quiet, resume: quiet };
}

export function describeJdbcSinkScenarios(getTarget: () => ScenarioTarget): void {
  let probe: Probe;
  const tasks: JdbcSinkTask[] = [];

  async function openTask(connector: string, config: Record<string, string>): Promise<JdbcSinkTask> {
    const task = new JdbcSinkTask();
    await task.open({ 'connection.url': getTarget().url, ...config }, context(connector));
    tasks.push(task);
    return task;
  }

  async function rows(table: string, orderBy = 'id'): Promise<Record<string, string | null>[]> {
    const t = getTarget();
    return probe.query(`SELECT * FROM ${t.quote(table)} ORDER BY ${t.quote(orderBy)}`);
  }

  beforeAll(async () => {
    probe = await getTarget().probe();
  });

  afterEach(async () => {
    for (const task of tasks.splice(0)) await task.teardown();
  });

  afterAll(async () => {
    await probe?.close();
  });

  it('auto.create makes a table from a struct schema with every type and round-trips the values', async () => {
    const t = getTarget();
    const task = await openTask('types', { 'auto.create': 'true', 'pk.mode': 'record_key', 'insert.mode': 'upsert' });
    const value = {
      id: 1,
      i8: -128,
      i16: 32767,
      i32: -2147483648,
      i64: 2n ** 62n + 1n,
      f32: 1.5,
      f64: 2.25,
      flag: true,
      label: 'héllo, "world"',
      blob: Buffer.from([0, 1, 255]),
      amount: '-12.340',
      day: new Date(Date.UTC(2024, 1, 29)),
      clock: new Date(Date.UTC(1970, 0, 1, 13, 4, 5, 67)),
      at: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)),
      note: null,
    };
    await task.write([record('all_types', 0, value, { valueSchema: ALL_TYPES_SCHEMA })]);
    await task.flush();
    expect(await rows('all_types')).toEqual([
      {
        id: '1',
        i8: '-128',
        i16: '32767',
        i32: '-2147483648',
        i64: (2n ** 62n + 1n).toString(),
        f32: '1.5',
        f64: '2.25',
        flag: t.bool(true),
        label: 'héllo, "world"',
        blob: '\\x0001ff',
        amount: '-12.340',
        day: '2024-02-29',
        clock: '13:04:05.067',
        at: '2024-02-29 23:59:58.123',
        note: null,
      },
    ]);
  });

  it('insert mode without a key appends rows; a missing table without auto.create is a clear error', async () => {
    const task = await openTask('plain', { 'auto.create': 'true' });
    await task.write([record('plain_rows', 0, { id: 1, name: 'a' }), record('plain_rows', 1, { id: 1, name: 'a' })]);
    await task.flush();
    expect((await rows('plain_rows')).map((r) => r.name)).toEqual(['a', 'a']);

    const strict = await openTask('strict', {});
    await strict.write([record('no_such_table', 0, { id: 1, name: 'a' })]);
    await expect(strict.flush()).rejects.toThrow(/does not exist and auto.create is disabled/);
  });

  it('upsert with record_key keys updates rows in place (also within one batch)', async () => {
    const task = await openTask('upsert-key', { 'auto.create': 'true', 'pk.mode': 'record_key', 'insert.mode': 'upsert' });
    await task.write([1, 2, 3].map((id, i) => record('up_key', i, { id, name: `v${id}` })));
    await task.flush();
    await task.write([record('up_key', 3, { id: 2, name: 'x' }), record('up_key', 4, { id: 2, name: 'y' }), record('up_key', 5, { id: 4, name: 'v4' })]);
    await task.flush();
    expect((await rows('up_key')).map((r) => `${r.id}=${r.name}`)).toEqual(['1=v1', '2=y', '3=v3', '4=v4']);
  });

  it('upsert with record_value keys (pk.fields) updates rows in place', async () => {
    const task = await openTask('upsert-value', { 'auto.create': 'true', 'pk.mode': 'record_value', 'pk.fields': 'id', 'insert.mode': 'upsert' });
    await task.write([record('up_val', 0, { id: 7, name: 'a' }, { keySchema: null, key: null }), record('up_val', 1, { id: 8, name: 'b' }, { keySchema: null, key: null })]);
    await task.flush();
    await task.write([record('up_val', 2, { id: 7, name: 'c' }, { keySchema: null, key: null })]);
    await task.flush();
    expect((await rows('up_val')).map((r) => `${r.id}=${r.name}`)).toEqual(['7=c', '8=b']);
  });

  it('update mode changes existing rows only; pk.mode=kafka keys rows by topic/partition/offset', async () => {
    const t = getTarget();
    const seed = await openTask('update-seed', { 'auto.create': 'true', 'pk.mode': 'record_key', 'insert.mode': 'upsert' });
    await seed.write([1, 2].map((id, i) => record('upd_rows', i, { id, name: `v${id}` })));
    await seed.flush();
    const updater = await openTask('update', { 'pk.mode': 'record_key', 'insert.mode': 'update' });
    await updater.write([record('upd_rows', 0, { id: 2, name: 'changed' }), record('upd_rows', 1, { id: 3, name: 'absent' })]);
    await updater.flush();
    expect((await rows('upd_rows')).map((r) => `${r.id}=${r.name}`)).toEqual(['1=v1', '2=changed']);

    const kafka = await openTask('kafka-pk', { 'auto.create': 'true', 'pk.mode': 'kafka', 'insert.mode': 'upsert' });
    await kafka.write([record('kafka_rows', 10, { id: 1, name: 'a' }, { partition: 3 }), record('kafka_rows', 11, { id: 1, name: 'b' }, { partition: 3 })]);
    await kafka.flush();
    expect(await probe.query(`SELECT ${t.quote('__connect_topic')} AS tp, ${t.quote('__connect_partition')} AS p, ${t.quote('__connect_offset')} AS o, ${t.quote('name')} AS name FROM ${t.quote('kafka_rows')} ORDER BY 3`)).toEqual([
      { tp: 'kafka_rows', p: '3', o: '10', name: 'a' },
      { tp: 'kafka_rows', p: '3', o: '11', name: 'b' },
    ]);
  });

  it('delete.enabled turns tombstones into deletes, in order with the writes around them', async () => {
    const task = await openTask('deletes', { 'auto.create': 'true', 'pk.mode': 'record_key', 'insert.mode': 'upsert', 'delete.enabled': 'true' });
    await task.write([1, 2, 3].map((id, i) => record('del_rows', i, { id, name: `v${id}` })));
    await task.flush();
    await task.write([
      record('del_rows', 3, null, { key: { id: 2 } }),
      record('del_rows', 4, { id: 4, name: 'v4' }),
      record('del_rows', 5, null, { key: { id: 4 } }),
      record('del_rows', 6, { id: 5, name: 'v5' }),
    ]);
    await task.flush();
    expect((await rows('del_rows')).map((r) => r.id)).toEqual(['1', '3', '5']);
  });

  it('auto.evolve adds a new optional field as a nullable column; a new required field is refused', async () => {
    const task = await openTask('evolve', { 'auto.create': 'true', 'auto.evolve': 'true', 'pk.mode': 'record_key', 'insert.mode': 'upsert' });
    await task.write([record('evolving', 0, { id: 1, name: 'old' })]);
    await task.flush();
    await task.write([record('evolving', 1, { id: 2, name: 'new', score: 42 }, { valueSchema: SIMPLE_V2 })]);
    await task.flush();
    expect(await rows('evolving')).toEqual([
      { id: '1', name: 'old', score: null },
      { id: '2', name: 'new', score: '42' },
    ]);

    const strict = await openTask('evolve-2', { 'auto.evolve': 'true', 'pk.mode': 'record_key', 'insert.mode': 'upsert' });
    await strict.write([record('evolving', 0, { id: 3, name: 'n', score: 1, mandatory: 'm' }, { valueSchema: SIMPLE_V3 })]);
    await expect(strict.flush()).rejects.toThrow(/cannot add required column mandatory without a default/);
  });

  it('exactly once: offsets commit with the rows; a restarted task skips what was applied (insert mode, no key)', async () => {
    const t = getTarget();
    const config = { 'auto.create': 'true', 'batch.size': '100000' };
    const topic = 'eo_rows';
    const make = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => record(topic, from + i, { id: from + i, name: `r${from + i}` }));

    const first = await openTask('eo', config);
    expect(Object.fromEntries(await first.partitionsAssigned([{ topic, partition: 0 }]))).toEqual({ [`${topic}-0`]: null });
    await first.write(make(0, 100)); // batch A
    await first.flush(); // commits rows 0..99 and next offset 100
    await first.write(make(100, 150)); // buffered, never committed
    await first.teardown(); // crash: the runtime commits nothing

    const second = await openTask('eo', config);
    const assigned = await second.partitionsAssigned([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    expect(Object.fromEntries(assigned)).toEqual({ [`${topic}-0`]: 100, [`${topic}-1`]: null });
    // The runtime restarts from an older committed Kafka offset (50) and re-delivers.
    await second.write(make(50, 120));
    await second.write(make(120, 200));
    await second.flush();
    expect(second.stats.skipped).toBe(50);

    const ids = (await rows(topic)).map((r) => Number(r.id));
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    const stored = await probe.query(`SELECT ${t.quote('next_offset')} AS n FROM ${t.quote(OFFSETS_TABLE)} WHERE ${t.quote('connector_name')} = 'eo'`);
    expect(stored).toEqual([{ n: '200' }]);

    // A third task that sees records only via write (no partitionsAssigned) also skips.
    const third = await openTask('eo', config);
    await third.write(make(150, 210));
    await third.flush();
    expect(third.stats.skipped).toBe(50);
    expect(await rows(topic)).toHaveLength(210);
  });

  it('exactly once per consumed topic: two topics routed into one table keep separate offsets', async () => {
    const t = getTarget();
    const config = { 'auto.create': 'true', 'batch.size': '100000', topics: 'erp.customers,erp2.customers', 'table.name.format': 'customers_all' };
    // As a RegexRouter renames both topics to customers_all; offsets interleave (a has higher ones).
    const a = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => record('customers_all', from + i, { id: from + i, name: 'a' }, { consumedTopic: 'erp.customers' }));
    const b = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => record('customers_all', from + i, { id: 1000 + from + i, name: 'b' }, { consumedTopic: 'erp2.customers' }));
    const first = await openTask('routed', config);
    await first.write([...a(0, 50), ...b(0, 10)]);
    await first.flush();
    await first.teardown();

    // Both partitions re-delivered from offset 0: each keeps its own floor.
    const second = await openTask('routed', config);
    const assigned = await second.partitionsAssigned([
      { topic: 'erp.customers', partition: 0 },
      { topic: 'erp2.customers', partition: 0 },
    ]);
    expect(Object.fromEntries(assigned)).toEqual({ 'erp.customers-0': 50, 'erp2.customers-0': 10 });
    await second.write([...b(0, 20), ...a(0, 60)]);
    await second.flush();
    expect(second.stats.skipped).toBe(60);
    const counts = await probe.query(`SELECT ${t.quote('name')} AS name, COUNT(*) AS n, COUNT(DISTINCT ${t.quote('id')}) AS d FROM ${t.quote('customers_all')} GROUP BY ${t.quote('name')} ORDER BY 1`);
    expect(counts).toEqual([
      { name: 'a', n: '60', d: '60' },
      { name: 'b', n: '20', d: '20' },
    ]);
    const stored = await probe.query(
      `SELECT ${t.quote('topic')} AS topic, ${t.quote('next_offset')} AS n, ${t.quote('key_version')} AS v FROM ${t.quote(OFFSETS_TABLE)} WHERE ${t.quote('connector_name')} = 'routed' ORDER BY 1`,
    );
    expect(stored).toEqual([
      { topic: 'erp.customers', n: '60', v: '2' },
      { topic: 'erp2.customers', n: '20', v: '2' },
    ]);
  });

  it('offsets stored in the old format (keyed after the transforms) are adopted when unambiguous, else refused with what to run', async () => {
    const t = getTarget();
    const q = t.quote;
    await probe.query(`DROP TABLE IF EXISTS ${q(OFFSETS_TABLE)}`);
    await probe.query(
      `CREATE TABLE ${q(OFFSETS_TABLE)} (${q('connector_name')} VARCHAR(255) NOT NULL, ${q('topic')} VARCHAR(255) NOT NULL, ` +
        `${q('kafka_partition')} INT NOT NULL, ${q('next_offset')} BIGINT NOT NULL, PRIMARY KEY (${q('connector_name')}, ${q('topic')}, ${q('kafka_partition')}))`,
    );
    await probe.query(`INSERT INTO ${q(OFFSETS_TABLE)} VALUES ('plain', 'legacy_rows', 0, 40), ('routed-old', 'customers_all', 0, 5004), ('routed-old', 'customers_all', 1, 17)`);

    // No transform, the row's topic is consumed: adopted as is (key_version 2).
    const plain = await openTask('plain', { 'auto.create': 'true', topics: 'legacy_rows' });
    expect(Object.fromEntries(await plain.partitionsAssigned([{ topic: 'legacy_rows', partition: 0 }]))).toEqual({ 'legacy_rows-0': 40 });

    // Routed: the row names the table's topic, not a consumed one; refused, nothing read.
    const routedConfig = {
      'auto.create': 'true',
      topics: 'erp.customers,erp2.customers',
      transforms: 'route',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': '.*',
      'transforms.route.replacement': 'customers_all',
    };
    await expect(openTask('routed-old', routedConfig)).rejects.toThrow(
      /offsets of connector 'routed-old' in the old format .*customers_all-0@5004, customers_all-1@17; topic\(s\) customers_all is not consumed .*DELETE FROM millrace_sink_offsets WHERE connector_name = 'routed-old' AND key_version = 1;/,
    );
    const versions = await probe.query(`SELECT ${q('connector_name')} AS c, ${q('key_version')} AS v FROM ${q(OFFSETS_TABLE)} ORDER BY 1, ${q('kafka_partition')}`);
    expect(versions).toEqual([
      { c: 'plain', v: '2' },
      { c: 'routed-old', v: '1' },
      { c: 'routed-old', v: '1' },
    ]);

    // Running the statement the message gives lets the task open; it starts from Kafka's committed offsets.
    await probe.query(`DELETE FROM millrace_sink_offsets WHERE connector_name = 'routed-old' AND key_version = 1`);
    const routed = await openTask('routed-old', routedConfig);
    expect(Object.fromEntries(await routed.partitionsAssigned([{ topic: 'erp.customers', partition: 0 }]))).toEqual({ 'erp.customers-0': null });
  });

  it('throughput: 100k rows, batch.size 3000', async () => {
    const topic = 'bulk_rows';
    const schema: ConnectSchema = {
      type: 'struct',
      optional: false,
      fields: [f('id', 0, req('int64')), f('name', 1, req('string')), f('amount', 2, req('float64')), f('flag', 3, req('boolean')), f('at', 4, req('int64', { name: TIMESTAMP_LOGICAL }))],
    };
    const task = await openTask('bulk', { 'auto.create': 'true', 'batch.size': '3000' });
    const total = 100_000;
    const now = Date.now();
    const records = Array.from({ length: total }, (_, i) =>
      record(topic, i, { id: i, name: `name-${i}`, amount: i * 0.5, flag: i % 2 === 0, at: new Date(now + i) }, { valueSchema: schema, keySchema: null, key: null }),
    );
    const started = process.hrtime.bigint();
    for (let i = 0; i < total; i += 500) await task.write(records.slice(i, i + 500));
    await task.flush();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const count = await probe.query(`SELECT COUNT(*) AS n FROM ${getTarget().quote(topic)}`);
    expect(count).toEqual([{ n: String(total) }]);
    console.log(`jdbc-sink ${getTarget().kind}: ${total} rows in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} rows/s (batch.size 3000, ${task.stats.commits} commits)`);
  });
}
