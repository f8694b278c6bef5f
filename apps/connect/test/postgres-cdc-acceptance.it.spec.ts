import * as fs from 'node:fs';
import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { Client } from 'pg';
import { ACCOUNTS_DDL, startAccountsWriter } from './support/accounts-writer';
import { readCdcTopic, snapshotReadDuplicates } from './support/cdc-topic';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, topicEndOffset } from './support/kafka';
import { prng, seedFrom } from './support/seeded-random';
import { cdcConfig, warehouseSinkConfig } from './support/postgres-cdc';

/**
 * Issue 12's headline acceptance line, automated: a 300k-row table while inserts,
 * updates (some of the primary key) and deletes run throughout; snapshot + streaming
 * into a Postgres warehouse through the jdbc-sink; connect killed -9 twice during the
 * snapshot and twice during streaming; at the end the warehouse equals the source (row
 * count and an all-column checksum) and the topic holds no duplicate snapshot reads
 * beyond the chunks in flight at each kill (`r` records counted per key).
 *
 * Seeded: the kill points and the mutations come from MILLRACE_CDC_ACCEPTANCE_SEED
 * (printed; set it to replay the schedule). MILLRACE_CDC_DEBUG_LOG=<file> keeps the
 * worker's output.
 */
const ROWS = 300_000;
const THREADS = 4;
const CHUNK_ROWS = 15_000;
const KILLS_IN_SNAPSHOT = 2;

describe('postgres-cdc-source acceptance: 300k rows, writes throughout, 4 kills -9', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Client;
  let writer: Client;
  let warehouse: Client;
  const seed = seedFrom('MILLRACE_CDC_ACCEPTANCE_SEED', 'postgres-cdc acceptance');

  beforeAll(async () => {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS: '1000', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres()]);
    connect = await startConnect({
      bootstrap: broker.bootstrap,
      registryUrl: registryUrl(),
      env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '4000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '1000' },
    });
    rest = new ConnectRest(connect.url);
    db = new Client({ connectionString: pg.connectionString });
    writer = new Client({ connectionString: pg.connectionString });
    await Promise.all([db.connect(), writer.connect()]);
    await db.query('CREATE DATABASE warehouse');
    warehouse = new Client({ host: pg.host, port: pg.port, user: pg.user, database: 'warehouse' });
    await warehouse.connect();
  }, 120_000);

  afterAll(async () => {
    if (process.env.MILLRACE_CDC_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_CDC_DEBUG_LOG, connect?.logs() ?? '');
    await Promise.all([db?.end(), writer?.end(), warehouse?.end()]);
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
  });

  const registryUrl = (): string => `http://${broker.host}:${broker.httpPort}`;
  const occurrences = (pattern: RegExp): number => (connect.logs().match(new RegExp(pattern.source, 'g')) ?? []).length;

  async function digest(client: Client): Promise<{ n: string; sum: string }> {
    const { rows } = await client.query<{ n: string; sum: string }>(
      `SELECT count(*)::text AS n, coalesce(md5(string_agg(concat_ws('|', id, customer, amount::numeric(12,2), qty, updated, flag, note), ',' ORDER BY id)), '') AS sum FROM accounts`,
    );
    return rows[0];
  }

  /** Keys that differ between source and warehouse, each with its events in the topic (for a failure's message). */
  async function firstDifferences(): Promise<string> {
    const ids = async (c: Client): Promise<Map<string, string>> =>
      new Map((await c.query<{ id: string; r: string }>(`SELECT id::text, concat_ws('|', id, customer, amount::numeric(12,2), qty, updated, flag, note) AS r FROM accounts`)).rows.map((x) => [x.id, x.r]));
    const [a, b] = await Promise.all([ids(db), ids(warehouse).catch(() => new Map<string, string>())]);
    const differing = [...new Set([...a.keys(), ...b.keys()])].filter((id) => a.get(id) !== b.get(id));
    const events = await readCdcTopic(broker.bootstrap, registryUrl(), 'acc.public.accounts');
    const lines = differing.slice(0, 8).map((id) => {
      const mine = events.filter((e) => String(e.key?.['id']) === id).map((e) => `${e.op ?? 'tombstone'}${e.after ? `(${JSON.stringify(e.after['note'])})` : ''}`);
      return `  id ${id}: source ${a.get(id) ?? '-'} / warehouse ${b.get(id) ?? '-'}; topic: ${mine.join(' ')}`;
    });
    return `${differing.length} keys differ (${[...a.keys()].filter((id) => !b.has(id)).length} missing in the warehouse, ${[...b.keys()].filter((id) => !a.has(id)).length} extra):\n${lines.join('\n')}`;
  }

  async function killAndRestart(what: string, downMs: number): Promise<number> {
    const t0 = Date.now();
    await connect.kill();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await connect.restart();
    process.stdout.write(`postgres-cdc acceptance: kill -9 ${what}, down ${downMs} ms, listening again after ${Date.now() - t0} ms\n`);
    return t0;
  }

  test('the warehouse equals the source; no snapshot read repeated beyond the chunks in flight at the kills', async () => {
    const random = prng(seed);
    const writerRandom = prng(seed ^ 0x5bd1e995);
    const started = Date.now();
    await db.query(ACCOUNTS_DDL);
    await db.query(
      `INSERT INTO accounts SELECT g, 'c' || (g % 97), (g * 1.25)::numeric(12,2), g % 13, TIMESTAMPTZ '2024-06-01 12:00:00+02' + g * INTERVAL '1 second', g % 2 = 0,
              CASE WHEN g % 5 = 0 THEN NULL ELSE substr(md5(g::text), 1, 12) END FROM generate_series(1, ${ROWS}) g`,
    );
    await db.query('ANALYZE accounts');
    const writes = startAccountsWriter(writer, writerRandom, { rows: ROWS, maxStatements: 3, pause: { base: 5, random: 20 } });
    let transactions = 0;
    try {
      const cdc = {
        ...cdcConfig(pg, {}),
        'topic.prefix': 'acc',
        'table.include.list': 'public\\.accounts',
        'slot.name': 'acc_slot',
        'publication.name': 'acc_pub',
        'snapshot.max.threads': String(THREADS),
        'snapshot.chunk.rows': String(CHUNK_ROWS),
        'snapshot.fetch.size': '2500',
      };
      const sink = {
        ...warehouseSinkConfig(pg, 'acc.public.accounts', 'acc'),
        // the killed worker's sink consumer leaves the group in 4 s, not kafkajs' 30 s
        'consumer.override.session.timeout.ms': '4000',
        'consumer.override.heartbeat.interval.ms': '1000',
        'consumer.override.max.poll.interval.ms': '10000',
      };
      for (const [name, config] of [['cdc-accounts', cdc], ['warehouse-accounts', sink]] as const) {
        const res = await rest.call('POST', '/connectors', { name, config });
        if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      const kafka = makeKafka(broker.bootstrap);
      const inTopic = (): Promise<number> => topicEndOffset(kafka, 'acc.public.accounts');

      // two kills while the snapshot is read, at seeded points of it
      const killPoints = [0.15 + random() * 0.2, 0.5 + random() * 0.2].map((f) => Math.floor(f * ROWS));
      for (let k = 0; k < KILLS_IN_SNAPSHOT; k++) {
        await waitFor(`${killPoints[k]} snapshot records in the topic`, async () => (await inTopic()) >= killPoints[k], 60_000);
        if (occurrences(/postgres-cdc: snapshot completed/) > 0) throw new Error(`the snapshot completed before kill ${k + 1} (seed ${seed}): make it slower or kill earlier`);
        await killAndRestart(`${k + 1} during the snapshot at ${await inTopic()} records`, Math.floor(random() * 1500));
        await waitFor(`the snapshot resumes after kill ${k + 1}`, async () => occurrences(/resuming the snapshot at the slot's consistent point/) >= k + 1, 60_000);
      }
      await waitFor('the snapshot completes', async () => occurrences(/postgres-cdc: snapshot completed/) > 0, 90_000);
      process.stdout.write(`postgres-cdc acceptance: snapshot completed ${Date.now() - started} ms after the start\n`);

      // two kills while streaming, after seeded delays
      for (let k = 0; k < 2; k++) {
        const streaming = occurrences(/postgres-cdc: streaming slot/);
        await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(random() * 3000)));
        await killAndRestart(`${k + 1} while streaming`, Math.floor(random() * 1500));
        await waitFor(`streaming resumes after kill ${k + 1}`, async () => occurrences(/postgres-cdc: streaming slot/) > streaming, 60_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      process.stdout.write(`postgres-cdc acceptance: writer stopped ${Date.now() - started} ms after the start; warehouse rows then ${(await digest(warehouse).catch(() => ({ n: '?' }))).n}\n`);
      transactions = await writes.stop();
    }

    const source = await digest(db);
    let copy: { n: string; sum: string } | null = null;
    try {
      await waitFor('the warehouse equals the source', async () => {
        copy = await digest(warehouse).catch(() => null);
        return copy !== null && copy.n === source.n && copy.sum === source.sum;
      }, 90_000);
    } catch (err) {
      process.stdout.write(`${await firstDifferences()}\n`);
      process.stdout.write(`seed ${seed} (MILLRACE_CDC_ACCEPTANCE_SEED=${seed} replays it): source ${JSON.stringify(source)} warehouse ${JSON.stringify(copy)}\n` +
        `${JSON.stringify(await rest.status('cdc-accounts'))}\n${JSON.stringify(await rest.status('warehouse-accounts'))}\n--- connect ---\n${connect.logs().slice(-8000)}\n`);
      throw err;
    }

    const events = await readCdcTopic(broker.bootstrap, registryUrl(), 'acc.public.accounts');
    const reads = snapshotReadDuplicates(events, (e) => String(e.key?.['id']));
    // every initial row still in the table was never deleted or re-keyed: it must have its `r`
    const { rows: kept } = await db.query<{ id: string }>(`SELECT id::text FROM accounts WHERE id <= ${ROWS}`);
    const missing = kept.filter((r) => !reads.keys.has(r.id)).length;
    const inFlightBound = KILLS_IN_SNAPSHOT * THREADS * CHUNK_ROWS;
    process.stdout.write(
      `postgres-cdc acceptance (seed ${seed}): ${source.n} rows in source and warehouse after ${transactions} writer transactions; ` +
        `${events.length} records in the topic, ${reads.reads} r for ${reads.keys.size} keys: ${reads.extraReads} repeated reads on ${reads.duplicateKeys} keys ` +
        `(bound ${inFlightBound} = ${KILLS_IN_SNAPSHOT} kills x ${THREADS} chunks in flight x ${CHUNK_ROWS} rows); total ${Date.now() - started} ms\n`,
    );
    expect(missing).toBe(0);
    expect(reads.extraReads).toBeLessThanOrEqual(inFlightBound);
    expect((await rest.status('cdc-accounts')).tasks[0]?.state).toBe('RUNNING');
  }, 240_000);
});
