import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { envInt } from './env-int';
import { processCpuSeconds } from './process-cpu';

/**
 * DuckDB sink benchmark (issue 15): the duckdb-sink against the jdbc-sink into Postgres,
 * on the same topic, in the same run (one broker, one Postgres, one connect worker):
 *
 *   1. DUCKDB_BENCH_RECORDS records (default 200,000; JSON with schemas, a struct key
 *      {id}, 8 columns: int64, string, float64, int32, Timestamp, boolean, string, int64)
 *      are produced to one 3-partition topic; a fifth of them update an earlier key;
 *   2. reference: a jdbc-sink (upsert by record key, auto.create, batch.size 3000) copies
 *      the topic into Postgres;
 *   3. the duckdb-sink, same settings, copies the same topic into a DuckDB file.
 * Each sink is measured from its first committed consumer offset to the commit of the
 * topic's last one (connector and task start-up excluded; the records between the two
 * over the seconds between them). Reports rows/s of both, the ratio duckdb/jdbc, the
 * connect worker's CPU seconds per phase, and checks both tables hold every key.
 * Progress goes to stderr, the table to stdout.
 *
 * Run:  npm run build && node -r ./scripts/register-paths.js dist/bench/duckdb-sink-bench.js
 * (also run by `npm run bench` unless --skip-sinks / BENCH_SKIP_SINKS=1).
 */
const N = envInt('DUCKDB_BENCH_RECORDS', 200_000);
const TOPIC = 'bench.orders';
const PARTITIONS = 3;
const KEYS = Math.ceil(N * 0.8);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const f = (field: string, type: string, extra: Record<string, unknown> = {}) => ({ field, type, optional: false, ...extra });
const KEY_SCHEMA = { type: 'struct', name: 'OrderKey', optional: false, fields: [f('id', 'int64')] };
const VALUE_SCHEMA = {
  type: 'struct',
  name: 'Order',
  optional: false,
  fields: [
    f('id', 'int64'),
    f('customer', 'string'),
    f('amount', 'double'),
    f('qty', 'int32'),
    f('ordered', 'int64', { name: 'org.apache.kafka.connect.data.Timestamp' }),
    f('paid', 'boolean'),
    { ...f('note', 'string'), optional: true },
    f('version', 'int64'),
  ],
};

async function produce(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const chunk = 1000; // about 0.7 MB per request: under the broker's 1 MB message.max.bytes
  for (let start = 0; start < N; start += chunk) {
    const messages = [];
    for (let i = start; i < Math.min(N, start + chunk); i++) {
      const id = i < KEYS ? i : (i * 7919) % KEYS;
      const value = { id, customer: `customer-${id % 997}`, amount: (id % 10_000) / 100, qty: 1 + (i % 50), ordered: 1_717_200_000_000 + i * 1000, paid: i % 3 === 0, note: i % 5 === 0 ? null : `order ${i} of ${id}`, version: i };
      messages.push({ key: JSON.stringify({ schema: KEY_SCHEMA, payload: { id } }), value: JSON.stringify({ schema: VALUE_SCHEMA, payload: value }), partition: id % PARTITIONS });
    }
    await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();
}

async function groupCommitted(admin: Admin, groupId: string): Promise<number> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
  return topic.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

interface Phase {
  readonly records: number;
  readonly seconds: number;
  readonly cpu: number | null;
}

/** Creates the connector, then times its consumer group from its first offset commit to the topic's end. */
async function runSink(connect: ConnectProcess, admin: Admin, name: string, config: Record<string, string>): Promise<Phase> {
  const res = await fetch(`${connect.url}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, config }) });
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
  const groupId = `connect-${name}`;
  let first: { at: number; committed: number; cpu: number | null } | null = null;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    const committed = await groupCommitted(admin, groupId);
    const now = performance.now();
    if (first === null && committed > 0) first = { at: now, committed, cpu: processCpuSeconds(connect.pid!) };
    if (committed >= N) {
      const cpu1 = processCpuSeconds(connect.pid!);
      const start = first as { at: number; committed: number; cpu: number | null };
      return { records: N - start.committed, seconds: (now - start.at) / 1000, cpu: start.cpu !== null && cpu1 !== null ? cpu1 - start.cpu : null };
    }
    if (Date.now() > deadline) throw new Error(`${name}: ${committed} of ${N} records after 20 minutes`);
    const s = (await (await fetch(`${connect.url}/connectors/${name}/status`)).json()) as { tasks?: Array<{ state: string; trace?: string }> };
    if (s.tasks?.some((t) => t.state === 'FAILED')) throw new Error(`${name} failed: ${s.tasks.map((t) => t.trace).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  log(`duckdb-sink-bench: ${N} records (${KEYS} keys) on ${PARTITIONS} partitions; jdbc-sink -> Postgres, then duckdb-sink -> DuckDB`);
  let broker: BrokerProcess | undefined;
  let pg: EphemeralPostgres | undefined;
  let connect: ConnectProcess | undefined;
  try {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }), startPostgres()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}` });
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const t0 = performance.now();
    await produce(kafka);
    log(`produced in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const admin = kafka.admin();
    await admin.connect();
    const common = {
      topics: TOPIC,
      'tasks.max': '1',
      'key.converter': 'json',
      'key.converter.schemas.enable': 'true',
      'value.converter': 'json',
      'value.converter.schemas.enable': 'true',
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'batch.size': '3000',
      'table.name.format': 'orders',
    };
    log('reference: jdbc-sink -> Postgres...');
    const jdbc = await runSink(connect, admin, 'bench-jdbc', { ...common, 'connector.class': 'jdbc-sink', 'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}?user=${pg.user}` });
    log('duckdb-sink -> DuckDB...');
    const duckFile = path.join(connect.dataDir, 'bench.duckdb');
    const duck = await runSink(connect, admin, 'bench-duckdb', { ...common, 'connector.class': 'duckdb-sink', 'duckdb.path': duckFile });
    await admin.disconnect();

    // both copies hold every key (the DuckDB file is read once its connector is gone)
    const db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    const pgRows = Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM orders')).rows[0].n);
    await db.end();
    await fetch(`${connect.url}/connectors/bench-duckdb`, { method: 'DELETE' });
    let duckRows = -1;
    for (let i = 0; i < 100 && duckRows < 0; i++) {
      try {
        const instance = await DuckDBInstance.create(duckFile, { access_mode: 'READ_ONLY' });
        const conn = await instance.connect();
        duckRows = Number((await conn.runAndReadAll('SELECT count(*) FROM orders')).getRows()[0][0]);
        conn.closeSync();
        instance.closeSync();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const rate = (p: Phase): number => p.records / p.seconds;
    const row = (label: string, p: Phase, rows: number, ratio: string) =>
      `| ${label} | ${p.records} | ${p.seconds.toFixed(2)} | ${Math.round(rate(p)).toLocaleString('en-US')} | ${ratio} | ${p.cpu?.toFixed(1) ?? '?'} | ${rows} |`;
    process.stdout.write(
      [
        `sinks (${N} records, ${KEYS} keys, upsert by record key, JSON with schemas, batch.size 3000, tasks.max 1; same topic, same run):`,
        '| sink | records timed | seconds | rows/s | ratio to jdbc-sink | connect CPU s | rows in table |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        row('jdbc-sink -> Postgres (reference)', jdbc, pgRows, '1.00'),
        row('duckdb-sink -> DuckDB file', duck, duckRows, (rate(duck) / rate(jdbc)).toFixed(2)),
        '',
      ].join('\n'),
    );
    if (pgRows !== KEYS || duckRows !== KEYS) throw new Error(`expected ${KEYS} rows in both tables, got Postgres ${pgRows}, DuckDB ${duckRows}`);
  } finally {
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
