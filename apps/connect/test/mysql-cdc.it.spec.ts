import type { BrokerProcess, ConnectProcess, EphemeralMariaDb, EphemeralPostgres } from '@millrace/testing';
import { AvroConverter } from '@millrace/connect-sdk';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mysql2/promise';
import type { Client } from 'pg';
import { waitFor, type ConnectRest } from './support/connect-rest';
import { readCommittedUntilIdle } from './support/kafka';
import { mariaDbCdcConfig, useMySqlCdc } from './support/mysql-cdc-env';
import { waitForEqualDigest, warehouseSinkConfig, type Digest } from './support/cdc-warehouse';
import { fillOrders, orderMutations, ordersDdl, sourceDigest, warehouseDigest } from './support/mysql-cdc-fixture';
import { prng, seedFrom } from './support/seeded-random';

/**
 * The MySQL/MariaDB CDC source end to end: an ephemeral MariaDB (ROW binlog, FULL row
 * image and metadata), the broker and a connect worker running exactly-once sources,
 * Debezium's MariaDB connector class, and the jdbc-sink into an ephemeral Postgres warehouse.
 *
 * 1. snapshot (2 workers, minimal lock) + streaming with inserts, updates (some of the
 *    primary key) and deletes while the snapshot is read: the warehouse equals the source
 *    (count and an all-column digest);
 * 2. connect killed -9 while streaming, changes made while it is down: still equal;
 *    exactly one `r` per initial row; no change event twice in the topic;
 * 3. connect killed -9 mid-snapshot resumes the unfinished chunks, then streams;
 * 4. every MySQL type family, snapshotted and streamed, round trips to the warehouse
 *    (and the topic's values/schemas are Debezium's): MEDIUMINT UNSIGNED, FLOAT as float32
 *    with its single-precision value, latin1 CHAR/TEXT with non-ASCII text, and zero
 *    DATE/DATETIME/TIMESTAMP values (sql_mode without NO_ZERO_DATE) as null in nullable
 *    columns and the epoch in NOT NULL ones.
 * Test 2 continues from test 1's table and connectors. snapshot.locking.mode=none under a
 * write load with four kills is mysql-cdc-erp.it.spec.ts (on the ERP schema).
 */
describe('mysql-cdc-source', () => {
  const env = useMySqlCdc();
  let broker: BrokerProcess;
  let maria: EphemeralMariaDb;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Connection;
  let warehouse: Client;
  let kafka: Kafka;

  beforeAll(() => {
    ({ broker, maria, pg, connect, rest, db, warehouse, kafka } = env);
  });

  const registryUrl = (): string => `http://${broker.host}:${broker.httpPort}`;

  const cdcConfig = (extra: Record<string, string>): Record<string, string> => mariaDbCdcConfig(maria, extra);

  const sinkConfig = (prefix: string, topics: string): Record<string, string> => warehouseSinkConfig(pg, topics, prefix, {}, 'shop');

  async function createConnector(name: string, config: Record<string, string>): Promise<void> {
    const res = await rest.call('POST', '/connectors', { name, config });
    if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async function waitRunning(name: string): Promise<void> {
    await waitFor(`${name} runs`, async () => {
      const s = await rest.status(name);
      if (s.connector.state === 'FAILED' || s.tasks[0]?.state === 'FAILED') throw new Error(`${name} failed: ${s.connector.trace ?? s.tasks[0]?.trace}`);
      return s.tasks[0]?.state === 'RUNNING';
    }, 60_000);
  }

  async function waitEqual(what: string, table = 'orders', timeoutMs = 90_000): Promise<Digest> {
    const copy = async (): Promise<Digest | null> => {
      const exists = await warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [table]);
      return exists.rowCount === 0 ? null : warehouseDigest(warehouse, table);
    };
    return waitForEqualDigest(what, await sourceDigest(db, table), copy, timeoutMs, () => `--- connect ---\n${connect.logs().slice(-8000)}`);
  }

  const topicEnd = async (topic: string): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    } catch {
      return 0;
    } finally {
      await admin.disconnect();
    }
  };

  const ROWS = 20_000;
  let mutate: (transactions: number) => Promise<void> = async () => undefined;

  test('snapshot + streaming with inserts, updates and deletes: the warehouse equals the source', async () => {
    await db.query(ordersDdl());
    await fillOrders(db, ROWS);
    mutate = orderMutations(db, prng(seedFrom('MILLRACE_CDC_SEED', 'mysql-cdc: mutations')), ROWS + 1);
    await createConnector('cdc-orders', cdcConfig({ 'topic.prefix': 'erp', 'database.server.id': '5401', 'table.include.list': 'shop\\.orders', 'snapshot.max.threads': '2', 'snapshot.chunk.rows': '2500', 'snapshot.fetch.size': '1000' }));
    await createConnector('warehouse-orders', sinkConfig('erp', 'erp.shop.orders'));
    await waitRunning('cdc-orders');
    await mutate(150);
    const source = await waitEqual('the warehouse equals the source');
    expect((await rest.status('cdc-orders')).tasks[0].state).toBe('RUNNING');
    process.stdout.write(`mysql-cdc: ${source.n} rows in source and warehouse (digest ${source.sum})\n`);
  }, 150_000);

  test('connect killed -9 while streaming, changes made while it is down: still equal, one r per initial row, no change event twice', async () => {
    const t0 = Date.now();
    await connect.kill();
    await mutate(60);
    await connect.restart();
    await waitRunning('cdc-orders');
    const t1 = Date.now();
    await mutate(30);
    const after = await waitEqual('the warehouse equals the source after the kill');
    process.stdout.write(`mysql-cdc: kill to RUNNING ${t1 - t0} ms, RUNNING to equal ${Date.now() - t1} ms\n`);

    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': registryUrl() }, false);
    type Event = { op: string; source: { file: string; pos: number; row: number; gtid: string | null; connector: string; db: string; table: string; server_id: number }; before: { id: number } | null; after: { id: number } | null };
    const events: Event[] = [];
    for (const m of await readCommittedUntilIdle(kafka, 'erp.shop.orders', 2_000)) if (m.value !== null) events.push((await values.toConnectData('erp.shop.orders', m.value)).value as Event);
    const reads = events.filter((e) => e.op === 'r');
    const changes = events.filter((e) => e.op !== 'r').map((e) => `${e.op}:${e.source.file}:${e.source.pos}:${e.source.row}:${(e.after ?? e.before)?.id}`);
    process.stdout.write(`mysql-cdc: ${after.n} rows; ${reads.length} r and ${changes.length} change events in erp.shop.orders\n`);
    expect(reads).toHaveLength(ROWS);
    expect(new Set(reads.map((e) => Number(e.after?.id))).size).toBe(ROWS);
    expect(new Set(changes).size).toBe(changes.length);
    const change = events.find((e) => e.op === 'u') as Event;
    expect(change.source).toMatchObject({ connector: 'mariadb', db: 'shop', table: 'orders', server_id: 1 });
    expect(change.source.file).toMatch(/^mysql-bin\.\d+$/);
    expect(change.source.gtid).toMatch(/^0-1-\d+$/);
  }, 150_000);

  test('connect killed -9 mid-snapshot resumes the unfinished chunks, not from zero, then streams', async () => {
    const BIG = 100_000;
    const CHUNK = 5_000;
    const THREADS = 2;
    await db.query('CREATE TABLE big (id INT PRIMARY KEY, label VARCHAR(200) NOT NULL)');
    for (let from = 1; from <= BIG; from += 10_000) {
      await db.query(`INSERT INTO big SELECT seq, REPEAT(MD5(seq), 4) FROM seq_${from}_to_${from + 9_999}`);
    }
    await createConnector('cdc-big', cdcConfig({
      'topic.prefix': 'kill', 'database.server.id': '5402', 'table.include.list': 'shop\\.big',
      'snapshot.max.threads': String(THREADS), 'snapshot.chunk.rows': String(CHUNK), 'snapshot.fetch.size': '500',
      'key.converter': 'json', 'key.converter.schemas.enable': 'false', 'value.converter': 'json', 'value.converter.schemas.enable': 'false',
    }));
    await waitRunning('cdc-big');
    await waitFor('a tenth of the snapshot in the topic', async () => (await topicEnd('kill.shop.big')) >= BIG / 10, 60_000);
    const atKill = await topicEnd('kill.shop.big');
    await connect.kill();
    await connect.restart();
    const resumed = await waitFor('the restarted task resumes the snapshot', async () => /resuming the snapshot at binlog position [^:]+:\d+: (\d+) of (\d+) chunks done/.exec(connect.logs()) ?? undefined, 90_000);
    const reads = await waitFor('every row read', async () => {
      const values = (await readCommittedUntilIdle(kafka, 'kill.shop.big', 2_000)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { op: string; after: { id: number } });
      const r = values.filter((v) => v.op === 'r');
      return new Set(r.map((v) => v.after.id)).size === BIG ? r : false;
    }, 120_000);
    const duplicates = reads.length - BIG;
    process.stdout.write(`mysql-cdc: killed at topic end ${atKill}; resumed with ${resumed[1]} of ${resumed[2]} chunks done; ${reads.length} r records for ${BIG} rows (${duplicates} duplicates)\n`);
    expect(Number(resumed[1])).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(duplicates).toBeLessThanOrEqual(THREADS * CHUNK);

    await db.query(`UPDATE big SET label = 'after restart' WHERE id = 1`);
    await waitFor('the update streams', async () => {
      const values = (await readCommittedUntilIdle(kafka, 'kill.shop.big', 1_000)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { op: string; after: { label: string } | null });
      return values.some((v) => v.op === 'u' && v.after?.label === 'after restart');
    }, 60_000);
  }, 300_000);

  test('types: snapshot and streamed rows of every type family round trip to the warehouse', async () => {
    await db.query(`CREATE TABLE types (id INT PRIMARY KEY, b TINYINT(1), ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, iu INT UNSIGNED,
      bi BIGINT, bu BIGINT UNSIGNED, d DECIMAL(30,10), f FLOAT, db DOUBLE, dt DATE, dtm DATETIME(6), dt3 DATETIME(3), ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR,
      v VARCHAR(50), tx TEXT, bl BLOB, bn BINARY(4), e ENUM('a','b c'), st SET('x','y','z'), j JSON, bt BIT(10), b1 BIT(1),
      mu MEDIUMINT UNSIGNED, f2 FLOAT, l1 VARCHAR(30) CHARACTER SET latin1, lt TEXT CHARACTER SET latin1) CHARSET utf8mb4`);
    // zero dates, allowed by a sql_mode without NO_ZERO_DATE / NO_ZERO_IN_DATE / strict mode
    await db.query(`SET SESSION sql_mode = ''`);
    await db.query(`CREATE TABLE zeros (id INT PRIMARY KEY, d DATE NULL, dn DATE NOT NULL, dt DATETIME NULL, dtn DATETIME(6) NOT NULL, ts TIMESTAMP NULL,
      tsn TIMESTAMP(3) NOT NULL DEFAULT '0000-00-00 00:00:00.000')`);
    const zeroRow = (id: number): string => `(${id}, '0000-00-00', '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00')`;
    await db.query(`INSERT INTO zeros VALUES ${zeroRow(1)}`);
    const full = (id: number): string => `(${id}, 1, -128, 255, -32768, 65535, -8388608, 4294967295, -9223372036854775808, 18446744073709551615, '12345678901234567890.0123456789',
      1.5, 3.141592653589793, '2024-02-29', '2024-02-29 12:34:56.123456', '1999-12-31 23:59:59.999', '2024-01-01 10:00:00.654321', '23:59:59.999999', 2024,
      'héllo 😀 ünïcode', 'long text', x'00ff10', x'01020304', 'b c', 'x,z', '{"a": 1, "b": [true, null]}', b'1010101010', b'1',
      16777215, 1234567.875, 'Grüße, ça va? ÿ', 'Ærø Straße ½ £')`;
    await db.query(`INSERT INTO types VALUES ${full(1)}, (2, ${Array(31).fill('NULL').join(', ')})`);
    await createConnector('cdc-types', cdcConfig({ 'topic.prefix': 'typ', 'database.server.id': '5403', 'table.include.list': 'shop\\.(types|zeros)' }));
    await createConnector('warehouse-types', sinkConfig('typ', 'typ.shop.types,typ.shop.zeros'));
    await waitRunning('cdc-types');
    await db.query(`INSERT INTO zeros VALUES ${zeroRow(2)}`);
    await db.query(`SET SESSION sql_mode = DEFAULT`);
    await db.query(`INSERT INTO types VALUES ${full(3)}, (4, ${Array(31).fill('NULL').join(', ')})`);
    await db.query(`UPDATE types SET v = 'updated', bu = 18446744073709551614 WHERE id = 1`);

    const columns = `b::text, ti, tu, si, su, mi, iu, bi, bu::text, d::text, f, db, dt::text, to_char(dtm, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(dt3, 'YYYY-MM-DD HH24:MI:SS.MS'),
      to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'), tm::text, y, v, tx, encode(bl, 'hex'), encode(bn, 'hex'), e, st, j::text, encode(bt, 'hex'), b1::text,
      mu, f2::float8, l1, lt`;
    const rows = await waitFor('the four rows in the warehouse, row 1 updated', async () => {
      const exists = await warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'types'`);
      if (exists.rowCount === 0) return false;
      const { rows: r } = await warehouse.query({ text: `SELECT id, ${columns} FROM types ORDER BY id`, rowMode: 'array' });
      return r.length === 4 && r[0][19] === 'updated' ? (r as unknown[][]) : false;
    }, 90_000);
    const expected = (id: number, v: string, bu: string): unknown[] => [id, 'true', -128, 255, -32768, 65535, -8388608, '4294967295', '-9223372036854775808', bu, '12345678901234567890.0123456789',
      1.5, 3.141592653589793, '2024-02-29', '2024-02-29 12:34:56.123456', '1999-12-31 23:59:59.999', '2024-01-01 10:00:00.654321', '23:59:59.999999', 2024,
      v, 'long text', '00ff10', '01020304', 'b c', 'x,z', '{"a": 1, "b": [true, null]}', 'aa02', 'true', 16777215, 1234567.875, 'Grüße, ça va? ÿ', 'Ærø Straße ½ £'];
    const nulls = (id: number): unknown[] => [id, ...Array(31).fill(null)];
    expect(rows[0]).toEqual(expected(1, 'updated', '18446744073709551614'));
    expect(rows[1]).toEqual(nulls(2));
    expect(rows[2]).toEqual(expected(3, 'héllo 😀 ünïcode', '18446744073709551615'));
    expect(rows[3]).toEqual(nulls(4));

    // the topic: Debezium's logical types, exact values
    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': registryUrl() }, false);
    const messages = (await readCommittedUntilIdle(kafka, 'typ.shop.types', 1_000)).filter((m) => m.value !== null);
    const first = await values.toConnectData('typ.shop.types', messages[0].value as Buffer);
    const after = (first.value as { after: Record<string, unknown> }).after;
    const fields = Object.fromEntries(((first.schema?.fields ?? []).find((f) => f.name === 'after')?.schema.fields ?? []).map((f) => [f.name, f.schema]));
    expect(fields['bu']).toMatchObject({ name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '0' } });
    expect(fields['dt']).toMatchObject({ name: 'io.debezium.time.Date', type: 'int32' });
    expect(fields['dtm']).toMatchObject({ name: 'io.debezium.time.MicroTimestamp', type: 'int64' });
    expect(fields['dt3']).toMatchObject({ name: 'io.debezium.time.Timestamp', type: 'int64' });
    expect(fields['ts']).toMatchObject({ name: 'io.debezium.time.ZonedTimestamp', type: 'string' });
    expect(fields['tm']).toMatchObject({ name: 'io.debezium.time.MicroTime', type: 'int64' });
    expect(fields['e']).toMatchObject({ name: 'io.debezium.data.Enum', parameters: { allowed: 'a,b c' } });
    expect(fields['j']).toMatchObject({ name: 'io.debezium.data.Json' });
    expect(fields['b']).toMatchObject({ type: 'boolean' });
    expect(fields['f']).toMatchObject({ type: 'float32' });
    expect(fields['f2']).toMatchObject({ type: 'float32' });
    expect(fields['mu']).toMatchObject({ type: 'int32' });
    expect(after).toMatchObject({ id: 1, b: true, ts: '2024-01-01T10:00:00.654321Z', tm: 86_399_999_999, y: 2024, st: 'x,z' });
    // snapshot (id 1) and binlog (id 3) alike: the float's exact single-precision value, the
    // largest MEDIUMINT UNSIGNED, latin1 text decoded in its charset
    const decoded = await Promise.all(messages.map(async (m) => (await values.toConnectData('typ.shop.types', m.value as Buffer)).value as { op: string; after: Record<string, unknown> }));
    for (const id of [1, 3]) {
      const row = decoded.find((e) => e.after['id'] === id && e.op !== 'u')?.after;
      expect({ id, ...row }).toMatchObject({ id, f: 1.5, f2: 1234567.875, mu: 16777215, l1: 'Grüße, ça va? ÿ', lt: 'Ærø Straße ½ £' });
    }

    // zero dates as Debezium: null where the column is nullable, the epoch where it is NOT NULL
    const zeros = await waitFor('the zero-date rows in the warehouse', async () => {
      const exists = await warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'zeros'`);
      if (exists.rowCount === 0) return false;
      const { rows: r } = await warehouse.query({ text: `SELECT id, d, dn::text, dt, to_char(dtn, 'YYYY-MM-DD HH24:MI:SS.US'), ts, to_char(tsn, 'YYYY-MM-DD HH24:MI:SS.MS') FROM zeros ORDER BY id`, rowMode: 'array' });
      return r.length === 2 ? r : false;
    }, 90_000);
    for (const id of [1, 2]) expect(zeros[id - 1]).toEqual([id, null, '1970-01-01', null, '1970-01-01 00:00:00.000000', null, '1970-01-01 00:00:00.000']);
    const zeroEvents = (await readCommittedUntilIdle(kafka, 'typ.shop.zeros', 1_000)).filter((m) => m.value !== null);
    const zeroAfters = await Promise.all(zeroEvents.map(async (m) => ((await values.toConnectData('typ.shop.zeros', m.value as Buffer)).value as { op: string; after: Record<string, unknown> })));
    expect(zeroAfters.map((e) => e.op)).toEqual(['r', 'c']);
    for (const e of zeroAfters) expect(e.after).toEqual({ id: e.op === 'r' ? 1 : 2, d: null, dn: 0, dt: null, dtn: 0, ts: null, tsn: '1970-01-01T00:00:00.000Z' });
  }, 150_000);
});
