import { startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { AvroConverter } from '@millrace/connect-sdk';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { waitFor, type ConnectRest } from './support/connect-rest';
import { readCommittedUntilIdle } from './support/kafka';
import * as cdc from './support/postgres-cdc';
import { prng, seedFrom } from './support/seeded-random';

/**
 * The Postgres CDC source end to end: an ephemeral Postgres (wal_level=logical), the
 * broker and a connect worker running exactly-once sources, Debezium's connector class.
 *
 * 1. snapshot + streaming into a Postgres warehouse through the jdbc-sink
 *    (ExtractNewRecordState with deletes kept, delete.enabled): inserts, updates (some of
 *    the primary key) and deletes run while the snapshot is read; the warehouse ends equal
 *    to the source (count and an all-column checksum);
 * 2. connect killed -9 while streaming and changes made while it is down: still equal;
 *    exactly one `r` per initial row and no change event twice in the topic;
 * 3. the slot's confirmed_flush_lsn never passes what the broker holds: with the broker
 *    frozen (SIGSTOP) transactions still reach the connector but are never confirmed;
 * 4. writes only to uncaptured tables let the slot advance (no WAL pinned);
 * 5. connect killed -9 mid-snapshot resumes the unfinished chunks: every row's `r`
 *    record, no more duplicates than one chunk per snapshot worker; progress in the status;
 * 6. bad input: wal_level=replica, a user without REPLICATION, a publication missing a
 *    table, a slot in use -> FAILED with the command to run; invalid keys -> validation;
 * 7. snapshot.mode never / initial_only, and a slot made by hand reused, not dropped.
 * Tests 2-4 continue from test 1's table and connectors.
 */
describe('postgres-cdc-source', () => {
  const env = cdc.usePostgresCdc();
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Client;
  let warehouse: Client;
  let kafka: Kafka;

  beforeAll(() => {
    ({ broker, pg, connect, rest, db, warehouse, kafka } = env);
  });

  const registryUrl = (): string => env.registryUrl;
  const cdcConfig = (extra: Record<string, string>): Record<string, string> => cdc.cdcConfig(pg, extra);
  const createConnector = (name: string, config: Record<string, string>): Promise<void> => cdc.createConnector(rest, name, config);
  const waitRunning = (name: string): Promise<void> => cdc.waitRunning(rest, name);
  const confirmedFlush = (slot: string): Promise<bigint> => cdc.confirmedFlush(db, slot);

  async function digest(client: Client, table: string): Promise<{ n: string; sum: string }> {
    const { rows } = await client.query<{ n: string; sum: string }>(
      `SELECT count(*)::text AS n, coalesce(md5(string_agg(concat_ws('|', id, customer, amount::numeric(12,2), qty, placed, updated, flag, note, encode(payload, 'hex')), ',' ORDER BY id)), '') AS sum FROM ${table}`,
    );
    return rows[0];
  }

  // the orders table of the first tests: its initial rows, and seeded random transactions of
  // inserts, updates (some changing the primary key) and deletes
  const ROWS = 20_000;
  let random: () => number = () => 0;
  let nextId = ROWS + 1;
  const mutate = async (transactions: number): Promise<void> => {
    for (let txn = 0; txn < transactions; txn++) {
      await db.query('BEGIN');
      for (let s = 0; s < 3; s++) {
        const pick = random();
        const id = 1 + Math.floor(random() * (nextId - 1));
        if (pick < 0.4) await db.query(`INSERT INTO orders VALUES ($1, 'new', 9.99, 1, now()::timestamp, now(), true, 'inserted', '\\x00ff')`, [nextId++]);
        else if (pick < 0.75) await db.query(`UPDATE orders SET amount = amount + 1, note = 'updated ' || $2, qty = NULL WHERE id = $1`, [id, txn]);
        else if (pick < 0.8) await db.query('UPDATE orders SET id = $2 WHERE id = $1', [id, nextId++]); // a primary key change
        else await db.query('DELETE FROM orders WHERE id = $1', [id]);
      }
      await db.query('COMMIT');
      if (txn % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  test('snapshot + streaming with inserts, updates and deletes: the warehouse equals the source', async () => {
    random = prng(seedFrom('MILLRACE_CDC_SEED', 'postgres-cdc: mutations'));
    await db.query(`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, amount NUMERIC(12,2), qty INT, placed TIMESTAMP(6), updated TIMESTAMPTZ, flag BOOLEAN, note TEXT, payload BYTEA)`);
    await db.query(
      `INSERT INTO orders SELECT g, 'c' || (g % 97), (g * 1.25)::numeric(12,2), g % 13, TIMESTAMP '2024-01-01 00:00:00' + g * INTERVAL '1.000001 second',
              TIMESTAMPTZ '2024-06-01 12:00:00+02' + g * INTERVAL '1 minute', g % 2 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE md5(g::text) END, decode(md5(g::text), 'hex')
         FROM generate_series(1, ${ROWS}) g`,
    );
    await createConnector('cdc-orders', cdcConfig({ 'topic.prefix': 'erp', 'table.include.list': 'public\\.orders', 'slot.name': 'orders_slot', 'publication.name': 'orders_pub', 'snapshot.max.threads': '2', 'snapshot.chunk.rows': '2500', 'snapshot.fetch.size': '1000' }));
    await createConnector('warehouse-orders', cdc.warehouseSinkConfig(pg, 'erp.public.orders', 'erp'));
    await waitRunning('cdc-orders');

    // mutations while the snapshot is read and after it
    await mutate(150);
    const source = await digest(db, 'orders');
    let copy: { n: string; sum: string } | null = null;
    try {
      await waitFor('the warehouse equals the source', async () => {
        const exists = await warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'orders'`);
        if (exists.rowCount === 0) return false;
        copy = await digest(warehouse, 'orders');
        return copy.n === source.n && copy.sum === source.sum ? copy : false;
      }, 90_000);
    } catch (err) {
      process.stdout.write(`source ${JSON.stringify(source)} warehouse ${JSON.stringify(copy)}\nstatus ${JSON.stringify(await rest.status('cdc-orders'))}\n${JSON.stringify(await rest.status('warehouse-orders'))}\n--- connect ---\n${connect.logs().slice(-6000)}\n`);
      throw err;
    }
    const status = await rest.status('cdc-orders');
    expect(status.tasks[0].state).toBe('RUNNING');
    process.stdout.write(`postgres-cdc: ${source.n} rows in source and warehouse (checksum ${source.sum})\n`);
  }, 120_000);

  test('connect killed -9 while streaming, changes made while it is down: still equal, exactly one r per initial row, no change event twice', async () => {
    const t0 = Date.now();
    await connect.kill();
    await mutate(60);
    await connect.restart();
    await waitRunning('cdc-orders');
    const t1 = Date.now();
    await mutate(30);
    const after = await digest(db, 'orders');
    await waitFor('the warehouse equals the source after the kill', async () => {
      const copy = await digest(warehouse, 'orders');
      return copy.n === after.n && copy.sum === after.sum;
    }, 90_000);
    process.stdout.write(`postgres-cdc: kill to RUNNING ${t1 - t0} ms, RUNNING to equal ${Date.now() - t1} ms\n`);

    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': registryUrl() }, false);
    const events: { op: string; source: { lsn: number | null; txId: number | null }; before: { id: number } | null; after: { id: number } | null }[] = [];
    for (const m of await readCommittedUntilIdle(kafka, 'erp.public.orders', 2_000)) if (m.value !== null) events.push((await values.toConnectData('erp.public.orders', m.value)).value as (typeof events)[number]);
    const reads = events.filter((e) => e.op === 'r');
    const changes = events.filter((e) => e.op !== 'r').map((e) => `${e.op}:${e.source.txId}:${e.source.lsn}:${(e.after ?? e.before)?.id}`);
    process.stdout.write(`postgres-cdc: ${after.n} rows in source and warehouse (checksum ${after.sum}); ${reads.length} r and ${changes.length} change events in erp.public.orders\n`);
    // the snapshot is the table at the slot's consistent point: every initial row exactly once
    expect(reads).toHaveLength(ROWS);
    expect(new Set(reads.map((e) => Number(e.after?.id))).size).toBe(ROWS);
    expect(new Set(changes).size).toBe(changes.length);
  }, 120_000);

  test('the slot is never confirmed past what the broker holds (broker frozen while changes arrive)', async () => {
    const walLsn = async () => BigInt((await db.query<{ lsn: string }>(`SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn`)).rows[0].lsn);
    await db.query(`INSERT INTO orders (id, customer) VALUES (1000001, 'before freeze')`);
    const committed = await walLsn();
    await waitFor('the slot confirmed the last durable transaction', async () => (await confirmedFlush('orders_slot')) >= committed - 200n && (await warehouse.query('SELECT 1 FROM orders WHERE id = 1000001')).rowCount === 1, 30_000);
    const durable = await confirmedFlush('orders_slot');

    process.kill(broker.pid as number, 'SIGSTOP');
    let frozenSamples: bigint[] = [];
    let sent = 0n;
    let afterWrites = 0n;
    try {
      for (let i = 0; i < 5; i++) await db.query(`INSERT INTO orders (id, customer) VALUES ($1, 'while frozen')`, [1000002 + i]);
      afterWrites = await walLsn();
      // longer than pg-logical-replication's 10 s keepalive ack timer, which would confirm the received position
      for (let i = 0; i < 26; i++) {
        frozenSamples.push(await confirmedFlush('orders_slot'));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const stat = await db.query<{ sent: string }>(`SELECT (sent_lsn - '0/0')::text AS sent FROM pg_stat_replication WHERE application_name = 'millrace-cdc-stream'`);
      sent = BigInt(stat.rows[0]?.sent ?? '0');
    } finally {
      process.kill(broker.pid as number, 'SIGCONT');
    }
    process.stdout.write(`postgres-cdc: durable ${durable}, WAL after frozen writes ${afterWrites}, sent to the connector ${sent}, confirmed while frozen max ${frozenSamples.reduce((a, b) => (b > a ? b : a), 0n)}\n`);
    expect(sent).toBeGreaterThan(durable); // the connector did receive the frozen transactions
    for (const sample of frozenSamples) expect(sample).toBeLessThanOrEqual(durable);
    frozenSamples = [];

    await waitFor('the frozen transactions reach the warehouse', async () => (await warehouse.query(`SELECT 1 FROM orders WHERE customer = 'while frozen'`)).rowCount === 5, 90_000);
    await waitFor('the slot confirms them once committed', async () => (await confirmedFlush('orders_slot')) > durable, 30_000);
  }, 180_000);

  test('writes only to uncaptured tables still let the slot advance (it does not pin WAL)', async () => {
    const walLsn = async () => BigInt((await db.query<{ lsn: string }>(`SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn`)).rows[0].lsn);
    await db.query('CREATE TABLE uncaptured (id SERIAL PRIMARY KEY, at TIMESTAMPTZ DEFAULT now())');
    const start = await confirmedFlush('orders_slot');
    for (let i = 0; i < 30; i++) await db.query('INSERT INTO uncaptured DEFAULT VALUES');
    const written = await walLsn();
    const confirmed = await waitFor('the slot passes the uncaptured writes', async () => {
      const c = await confirmedFlush('orders_slot');
      return c >= written ? c : undefined;
    }, 40_000);
    process.stdout.write(`postgres-cdc: idle slot confirmed ${start} -> ${confirmed} (WAL after uncaptured writes ${written})\n`);
    expect(confirmed).toBeGreaterThan(start);
  }, 60_000);

  test('connect killed -9 mid-snapshot resumes the unfinished chunks, not from zero', async () => {
    const ROWS = 50_000;
    const CHUNK = 2_500;
    const THREADS = 2;
    await db.query('CREATE TABLE big (id INT PRIMARY KEY, label TEXT NOT NULL)');
    await db.query(`INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, ${ROWS}) g`);
    await createConnector('cdc-big', cdcConfig({
      'topic.prefix': 'kill', 'table.include.list': 'public\\.big', 'slot.name': 'big_slot', 'publication.name': 'big_pub',
      'snapshot.max.threads': String(THREADS), 'snapshot.chunk.rows': String(CHUNK), 'snapshot.fetch.size': '500',
      'key.converter': 'json', 'key.converter.schemas.enable': 'false', 'value.converter': 'json', 'value.converter.schemas.enable': 'false',
    }));
    await waitRunning('cdc-big');
    const topicEnd = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets('kill.public.big')).reduce((n, p) => n + Number(p.high), 0);
      } catch {
        return 0;
      } finally {
        await admin.disconnect();
      }
    };
    await waitFor('a tenth of the snapshot in the topic', async () => (await topicEnd()) >= ROWS / 10, 60_000);
    const atKill = await topicEnd();
    await connect.kill();
    await connect.restart();
    // (the status may still be the killed worker's RUNNING: the resume line is what tells the new task opened)
    const resumed = await waitFor('the restarted task resumes the snapshot', async () => /resuming the snapshot at the slot's consistent point [^:]+: (\d+) of (\d+) chunks done/.exec(connect.logs()) ?? undefined, 90_000);
    // progress shows in the task's status while the snapshot runs (here from the resumed state on)
    const progress = await waitFor('snapshot progress in the status', async () => {
      const trace = (await rest.status('cdc-big')).tasks[0]?.trace ?? '';
      const m = new RegExp(`snapshot (\\d+)% \\((\\d+)/${ROWS} rows, (\\d+)/${ROWS / CHUNK} chunks`).exec(trace);
      return m && Number(m[2]) > 0 ? trace : undefined;
    }, 60_000);
    expect(progress).toMatch(new RegExp(`rows/s, ETA (\\d+ s|unknown)\\): public.big \\d+/${ROWS}`));

    // every row read once more at most for the chunks in flight at the kill
    const reads = await waitFor('every row read', async () => {
      const values = (await readCommittedUntilIdle(kafka, 'kill.public.big', 2_000)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { op: string; after: { id: number } });
      const r = values.filter((v) => v.op === 'r');
      return new Set(r.map((v) => v.after.id)).size === ROWS ? r : false;
    }, 120_000);
    const duplicates = reads.length - ROWS;
    process.stdout.write(`postgres-cdc: killed at topic end ${atKill}; resumed with ${resumed[1]} of ${resumed[2]} chunks done; ${reads.length} r records for ${ROWS} rows (${duplicates} duplicates)\n`);
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(duplicates).toBeLessThanOrEqual(THREADS * CHUNK);
    expect(Number(resumed[1])).toBeGreaterThan(0);

    // and streaming follows the resumed snapshot
    await db.query(`UPDATE big SET label = 'after restart' WHERE id = 1`);
    await waitFor('the update streams', async () => {
      const values = (await readCommittedUntilIdle(kafka, 'kill.public.big', 1_000)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { op: string; after: { id: number; label: string } | null });
      return values.some((v) => v.op === 'u' && v.after?.label === 'after restart');
    }, 60_000);
  }, 300_000);

  test('bad input fails with the command to run: wal_level, REPLICATION, a publication missing a table, a slot in use', async () => {
    const failedWith = async (name: string, config: Record<string, string>, pattern: RegExp): Promise<string> => {
      await createConnector(name, config);
      const trace = await waitFor(`${name} fails`, async () => {
        const s = await rest.status(name);
        const failed = [s.connector, ...s.tasks].find((x) => x.state === 'FAILED');
        return failed?.trace;
      }, 60_000);
      expect(trace).toMatch(pattern);
      expect((await rest.call('DELETE', `/connectors/${name}`)).status).toBe(204);
      return trace;
    };
    const replica = await startPostgres({ settings: { wal_level: 'replica' } });
    try {
      await failedWith('bad-wal', cdcConfig({ 'database.port': String(replica.port), 'topic.prefix': 'bad1' }), /wal_level=replica.*ALTER SYSTEM SET wal_level = logical/);
    } finally {
      await replica.stop();
    }
    await db.query('CREATE ROLE cdc_plain LOGIN');
    await failedWith('bad-role', cdcConfig({ 'database.user': 'cdc_plain', 'topic.prefix': 'bad2' }), /ALTER ROLE "cdc_plain" WITH REPLICATION;/);
    await db.query('CREATE TABLE bad_orders (id INT PRIMARY KEY)');
    await db.query('CREATE TABLE extra (id INT PRIMARY KEY)');
    await db.query('CREATE PUBLICATION partial_pub FOR TABLE bad_orders');
    await failedWith('bad-pub', cdcConfig({ 'topic.prefix': 'bad3', 'table.include.list': 'public\\.(bad_orders|extra)', 'publication.name': 'partial_pub', 'publication.autocreate.mode': 'disabled', 'slot.name': 'bad_slot' }), /ALTER PUBLICATION "partial_pub" ADD TABLE "public"."extra";/);
    // a slot another client streams from
    await db.query(`SELECT pg_create_logical_replication_slot('busy_slot', 'pgoutput')`);
    const holder = new Client({ connectionString: pg.connectionString, replication: 'database' } as ConstructorParameters<typeof Client>[0]);
    holder.on('error', () => undefined);
    await holder.connect();
    holder.query(`START_REPLICATION SLOT busy_slot LOGICAL 0/0 (proto_version '1', publication_names 'partial_pub')`).catch(() => undefined);
    try {
      await waitFor('busy_slot is active', async () => (await db.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'busy_slot' AND active`)).rowCount === 1, 10_000);
      await failedWith('bad-slot', cdcConfig({ 'topic.prefix': 'bad4', 'table.include.list': 'public\\.bad_orders', 'publication.name': 'partial_pub', 'publication.autocreate.mode': 'disabled', 'slot.name': 'busy_slot' }), /slot "busy_slot" is in use by another connection \(pid \d+\).*SELECT pg_terminate_backend\(\d+\);/);
    } finally {
      await holder.end().catch(() => undefined);
    }
    const invalid = await rest.call('PUT', '/connector-plugins/postgres-cdc-source/config/validate', cdcConfig({ 'topic.prefix': 'x', 'snapshot.mode': 'sometimes', 'slot.name': 'Bad-Slot' }));
    expect(JSON.stringify(invalid.body)).toMatch(/snapshot.mode.*must be one of initial, never, initial_only, no_data, when_needed/);
    expect(JSON.stringify(invalid.body)).toMatch(/lower-case letters, digits and underscores/);
  }, 180_000);

  test('snapshot.mode never streams only changes; initial_only reads the table and streams nothing; a slot made by hand is reused, not dropped', async () => {
    await db.query('CREATE TABLE modes (id INT PRIMARY KEY, label TEXT)');
    await db.query(`INSERT INTO modes SELECT g, 'old' FROM generate_series(1, 50) g`);
    const ops = async (topic: string) => (await readCommittedUntilIdle(kafka, topic, 1_500)).filter((m) => m.value !== null).map((m) => (JSON.parse(String(m.value)) as { op: string }).op);
    const json = { 'key.converter': 'json', 'key.converter.schemas.enable': 'false', 'value.converter': 'json', 'value.converter.schemas.enable': 'false' };
    await createConnector('cdc-never', cdcConfig({ ...json, 'topic.prefix': 'never', 'table.include.list': 'public\\.modes', 'slot.name': 'never_slot', 'publication.name': 'modes_pub', 'snapshot.mode': 'never' }));
    await createConnector('cdc-only', cdcConfig({ ...json, 'topic.prefix': 'only', 'table.include.list': 'public\\.modes', 'slot.name': 'only_slot', 'publication.name': 'modes_pub', 'snapshot.mode': 'initial_only' }));
    await db.query(`SELECT pg_create_logical_replication_slot('hand_slot', 'pgoutput')`);
    await createConnector('cdc-hand', cdcConfig({ ...json, 'topic.prefix': 'hand', 'table.include.list': 'public\\.modes', 'slot.name': 'hand_slot', 'publication.name': 'modes_pub' }));
    await waitRunning('cdc-never');
    await waitRunning('cdc-only');
    await waitRunning('cdc-hand');
    await waitFor('the hand-made slot is snapshotted', async () => (await ops('hand.public.modes')).length === 50, 60_000);
    await waitFor('initial_only read the table', async () => (await ops('only.public.modes')).length === 50, 60_000);
    await db.query(`INSERT INTO modes VALUES (51, 'new')`);
    await db.query(`UPDATE modes SET label = 'changed' WHERE id = 1`);
    const never = await waitFor('never streams the changes', async () => {
      const seen = await ops('never.public.modes');
      return seen.length >= 2 ? seen : undefined;
    }, 60_000);
    expect([...never].sort()).toEqual(['c', 'u']);
    const hand = await waitFor('the hand-made slot streams', async () => {
      const seen = await ops('hand.public.modes');
      return seen.length >= 52 ? seen : undefined;
    }, 60_000);
    expect([...hand].sort()).toEqual(['c', ...Array.from({ length: 50 }, () => 'r'), 'u']);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const only = await ops('only.public.modes');
    expect(only).toHaveLength(50);
    expect(new Set(only)).toEqual(new Set(['r']));
  }, 120_000);
});
