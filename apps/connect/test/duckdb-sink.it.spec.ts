import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { Client } from 'pg';
import { ACCOUNTS_DDL, startAccountsWriter } from './support/accounts-writer';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, topicEndOffset } from './support/kafka';
import { cdcConfig, createConnector, waitRunning } from './support/postgres-cdc';
import { prng, seedFrom } from './support/seeded-random';

/**
 * Issue 15's DuckDB acceptance line: a Postgres CDC pipeline into the embedded DuckDB
 * warehouse (duckdb-sink reading the Debezium envelopes directly, no unwrap transform;
 * the file at its default place under the worker's data dir) equals the source — row
 * count and a checksum over every column — after inserts, updates (some of the key) and
 * deletes, with connect killed -9 at a seeded moment while they stream (during the
 * snapshot or after it, by the seed).
 *
 * Seeded: the kill moments and the writes come from MILLRACE_DUCKDB_IT_SEED (printed; set
 * it to replay). DuckDB has one writer per file, so the test reads the file only while
 * the sink connector is STOPPED (PUT /stop closes it), and resumes it when the copy has
 * not caught up yet.
 */
const ROWS = 10_000;
const KILLS = 1;
const SINK = 'duck-accounts';
const TOPIC = 'duck.public.accounts';

describe('duckdb-sink: Postgres CDC -> DuckDB across a kill -9', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Client;
  let writer: Client;
  const seed = seedFrom('MILLRACE_DUCKDB_IT_SEED', 'duckdb-sink acceptance');

  beforeAll(async () => {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS: '1000', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres()]);
    connect = await startConnect({
      bootstrap: broker.bootstrap,
      registryUrl: `http://${broker.host}:${broker.httpPort}`,
      env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '4000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '1000' },
    });
    rest = new ConnectRest(connect.url);
    db = new Client({ connectionString: pg.connectionString });
    writer = new Client({ connectionString: pg.connectionString });
    await Promise.all([db.connect(), writer.connect()]);
  }, 120_000);

  afterAll(async () => {
    if (process.env.MILLRACE_CDC_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_CDC_DEBUG_LOG, connect?.logs() ?? '');
    await Promise.all([db?.end(), writer?.end()]);
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
  });

  const duckFile = (): string => path.join(connect.dataDir, 'duckdb', `${SINK}.duckdb`);
  const ROW_SQL = (epochMicros: string, flagInt: string) =>
    `SELECT id::VARCHAR AS id, customer, amount::VARCHAR AS amount, qty::VARCHAR AS qty, ${epochMicros} AS updated, ${flagInt} AS flag, note FROM accounts`;

  /** Count and md5 over every column of every row, in id order (the same text from both databases). */
  function digest(rows: Record<string, unknown>[]): { n: number; sum: string } {
    const lines = rows.map((r) => JSON.stringify([r.id, r.customer, r.amount, r.qty, r.updated, r.flag, r.note])).sort();
    return { n: rows.length, sum: createHash('md5').update(lines.join('\n')).digest('hex') };
  }

  async function sourceDigest(): Promise<{ n: number; sum: string }> {
    return digest((await db.query(ROW_SQL(`(extract(epoch FROM updated) * 1000000)::bigint::text`, `flag::int::text`))).rows as Record<string, unknown>[]);
  }

  /** The DuckDB copy's digest; only while the sink is stopped (the file has one writer). */
  async function duckDigest(): Promise<{ n: number; sum: string }> {
    const instance = await DuckDBInstance.create(duckFile(), { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    try {
      return digest((await conn.runAndReadAll(ROW_SQL(`epoch_us(updated)::VARCHAR`, `flag::INT::VARCHAR`))).getRowObjectsJson() as Record<string, unknown>[]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }

  test('the DuckDB copy equals the source (count + all-column checksum)', async () => {
    const random = prng(seed);
    const started = Date.now();
    await db.query(ACCOUNTS_DDL);
    await db.query(
      `INSERT INTO accounts SELECT g, 'c' || (g % 97), (g * 1.25)::numeric(12,2), g % 13, TIMESTAMPTZ '2024-06-01 12:00:00.123456+02' + g * INTERVAL '1 second', g % 2 = 0,
              CASE WHEN g % 5 = 0 THEN NULL ELSE substr(md5(g::text), 1, 12) END FROM generate_series(1, ${ROWS}) g`,
    );
    await createConnector(rest, 'duck-cdc', { ...cdcConfig(pg, {}), 'topic.prefix': 'duck', 'table.include.list': 'public\\.accounts', 'slot.name': 'duck_slot', 'publication.name': 'duck_pub' });
    await createConnector(rest, SINK, {
      'connector.class': 'duckdb-sink',
      topics: TOPIC,
      'tasks.max': '2', // DuckDB has one writer per file: the connector runs one task anyway
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'batch.size': '2000',
      transforms: 'route',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'duck\\.public\\.(.*)',
      'transforms.route.replacement': '$1',
      // A long session, so that a big batch written slowly on a loaded machine (the task
      // thread runs niced; the runtime heartbeats between writes) does not expire it (the
      // group would then never record the sink's progress), and a short rebalance timeout,
      // so that after the kill the restarted worker's consumer does not wait for the dead one.
      'consumer.override.session.timeout.ms': '60000',
      'consumer.override.heartbeat.interval.ms': '3000',
      'consumer.override.max.poll.interval.ms': '10000',
    });
    await waitRunning(rest, SINK);
    expect((await rest.status(SINK)).tasks).toHaveLength(1);
    const kafka = makeKafka(broker.bootstrap);
    // 0 until the CDC source created the topic
    const inTopic = (): Promise<number> => topicEndOffset(kafka, TOPIC).catch(() => 0);
    const admin = kafka.admin();
    await admin.connect();
    // records the sink applied and committed (its consumer group's offsets)
    const sunk = async (): Promise<number> =>
      ((await admin.fetchOffsets({ groupId: `connect-${SINK}`, topics: [TOPIC] }).catch(() => []))[0]?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    const writes = startAccountsWriter(writer, prng(seed ^ 0x2545f491), { rows: ROWS, maxStatements: 4, pause: { base: 2, random: 8 } });
    let transactions = 0;
    try {
      for (let k = 0; k < KILLS; k++) {
        // while the sink writes: after it applied a seeded number of records, a seeded moment later
        const threshold = (await sunk()) + 200 + Math.floor(random() * 6_000);
        await waitFor(`the sink applied ${threshold} records`, async () => (await sunk()) >= threshold, 150_000);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 500)));
        const t0 = Date.now();
        const at = `${await sunk()} records applied, ${await inTopic()} in the topic`;
        await connect.kill();
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 1000)));
        await connect.restart();
        process.stdout.write(`duckdb-sink IT: kill -9 ${k + 1} at ${at}, back after ${Date.now() - t0} ms\n`);
        await waitRunning(rest, SINK);
        process.stdout.write(`duckdb-sink IT: sink running again ${Date.now() - started} ms after the start\n`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(random() * 1000)));
    } finally {
      transactions = await writes.stop();
    }

    const source = await sourceDigest();
    process.stdout.write(`duckdb-sink IT: writer stopped ${Date.now() - started} ms after the start\n`);
    // caught up: the topic no longer grows and the sink's group committed up to its end
    // (the last offset may be a transaction marker, which no consumer reads)
    try {
      let lastEnd = -1;
      await waitFor('the sink reached the end of the topic', async () => {
        const end = await inTopic();
        const done = end === lastEnd && (await sunk()) >= end - 1;
        lastEnd = end;
        return done;
      }, 150_000);
    } finally {
      await admin.disconnect();
    }
    process.stdout.write(`duckdb-sink IT: the sink reached the end of the topic ${Date.now() - started} ms after the start\n`);
    let attempts = 0;
    let copy: { n: number; sum: string } | null = null;
    await waitFor(
      'the DuckDB copy equals the source',
      async () => {
        await rest.call('PUT', `/connectors/${SINK}/stop`);
        await waitFor('the sink closed its DuckDB file', async () => !fs.existsSync(`${duckFile()}.lock`), 30_000);
        copy = await duckDigest();
        process.stdout.write(`duckdb-sink IT: check ${++attempts} at ${Date.now() - started} ms: ${copy.n} rows (source ${source.n})\n`);
        if (copy.n === source.n && copy.sum === source.sum) return true;
        await rest.call('PUT', `/connectors/${SINK}/resume`);
        await waitRunning(rest, SINK);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return false;
      },
      90_000,
    ).catch((err: unknown) => {
      process.stdout.write(`seed ${seed}: source ${JSON.stringify(source)} duckdb ${JSON.stringify(copy)}\n--- connect ---\n${connect.logs().slice(-6000)}\n`);
      throw err;
    });
    process.stdout.write(`duckdb-sink IT (seed ${seed}): ${source.n} rows equal in Postgres and DuckDB after ${transactions} writer transactions and ${KILLS} kill(s) -9; ${Date.now() - started} ms\n`);
    expect(copy).toEqual(source);
  }, 360_000);
});
