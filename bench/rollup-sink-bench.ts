import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { envInt } from './env-int';

/**
 * Rollup sink benchmark (run by `npm run bench` unless --skip-rollups; also alone):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/rollup-sink-bench.js
 *
 * One topic of ROLLUP_BENCH_CHANGES Debezium change records (default 100,000; one
 * partition; JSON with schemas; 60% inserts, 30% updates with their before image, 10%
 * deletes of 20,000 order keys), written first, then consumed by one connector at a time
 * on the same connect worker, each from the start of the topic:
 *   - reference: the jdbc-sink upserting the rows (ExtractNewRecordState, deletes by key)
 *     into Postgres — the same changes, applied as rows;
 *   - bi-rollup-sink with 10 rollups over the topic into Postgres;
 *   - the same 10 rollups into an embedded DuckDB file.
 * Time: connector creation to the sink's stored offset (millrace_sink_offsets, or for
 * DuckDB the connector's group offset) reaching the end of the topic. Reported: changes/s
 * and the ratio to the reference row.
 */
const CHANGES = envInt('ROLLUP_BENCH_CHANGES', 100_000);
const KEYS = 20_000;
const TOPIC = 'bench.public.orders';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const ROW_FIELDS = [
  { field: 'id', type: 'int64', optional: false },
  { field: 'customer', type: 'string', optional: false },
  { field: 'product', type: 'string', optional: false },
  { field: 'line', type: 'string', optional: false },
  { field: 'region', type: 'string', optional: false },
  { field: 'status', type: 'string', optional: false },
  { field: 'quality', type: 'string', optional: false },
  { field: 'qty', type: 'int32', optional: false },
  { field: 'amount', type: 'double', optional: false },
  { field: 'ordered_at', type: 'int64', optional: false, name: 'org.apache.kafka.connect.data.Timestamp', version: 1 },
];
const ROW_SCHEMA = { type: 'struct', optional: true, name: 'bench.public.orders.Value', fields: ROW_FIELDS };
const VALUE_SCHEMA = {
  type: 'struct',
  optional: false,
  name: 'bench.public.orders.Envelope',
  fields: [
    { ...ROW_SCHEMA, field: 'before' },
    { ...ROW_SCHEMA, field: 'after' },
    { field: 'op', type: 'string', optional: false },
  ],
};
const KEY_SCHEMA = { type: 'struct', optional: false, name: 'bench.public.orders.Key', fields: [{ field: 'id', type: 'int64', optional: false }] };

type Row = { id: number; customer: string; product: string; line: string; region: string; status: string; quality: string; qty: number; amount: number; ordered_at: number };

function changes(): { key: string; value: string }[] {
  let seed = 15;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const rows = new Map<number, Row>();
  const make = (id: number): Row => ({
    id,
    customer: `c${Math.floor(random() * 500)}`,
    product: `p${Math.floor(random() * 50)}`,
    line: `L${Math.floor(random() * 8)}`,
    region: ['north', 'south', 'east', 'west'][Math.floor(random() * 4)],
    status: random() < 0.1 ? 'cancelled' : 'open',
    quality: random() < 0.85 ? 'good' : 'scrap',
    qty: 1 + Math.floor(random() * 20),
    amount: Math.round(random() * 100_000) / 100,
    ordered_at: Date.UTC(2024, 5, 1) + Math.floor(random() * 30 * 86_400_000),
  });
  const out: { key: string; value: string }[] = [];
  const emit = (id: number, before: Row | null, after: Row | null, op: string) =>
    out.push({ key: JSON.stringify({ schema: KEY_SCHEMA, payload: { id } }), value: JSON.stringify({ schema: VALUE_SCHEMA, payload: { before, after, op } }) });
  for (let i = 0; i < CHANGES; i++) {
    const id = 1 + Math.floor(random() * KEYS);
    const old = rows.get(id);
    const pick = random();
    if (!old || pick < 0.6) {
      const row = make(id);
      if (old) emit(id, old, row, 'u');
      else emit(id, null, row, 'c');
      rows.set(id, row);
    } else if (pick < 0.9) {
      const row = { ...old, amount: Math.round(random() * 100_000) / 100, qty: 1 + Math.floor(random() * 20), customer: random() < 0.3 ? `c${Math.floor(random() * 500)}` : old.customer };
      emit(id, old, row, 'u');
      rows.set(id, row);
    } else {
      emit(id, old, null, 'd');
      rows.delete(id);
    }
  }
  return out;
}

const ROLLUPS: Record<string, [string, string, string?]> = {
  sales_by_customer_day: ['customer, day(ordered_at) AS day', 'count, sum(amount), avg(amount)'],
  qty_by_product: ['product', 'count, sum(qty)'],
  good_parts_by_line_shift: ['line, shift(ordered_at) AS shift', 'sum(qty) AS good_parts, count', "quality = 'good'"],
  extremes_by_customer: ['customer', 'min(amount), max(amount)'],
  customers_by_day: ['day(ordered_at) AS day', 'count_distinct(customer)'],
  sales_by_hour: ['hour(ordered_at) AS hour', 'count, sum(amount)'],
  avg_by_region: ['region', 'count, avg(amount)'],
  products_by_line: ['line', 'count_distinct(product)'],
  totals: ['', 'count, sum(amount)', "status <> 'cancelled'"],
  max_by_status: ['status', 'count, max(amount)'],
};

const JSON_CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};

function rollupConfig(url: string): Record<string, string> {
  const config: Record<string, string> = { 'connector.class': 'bi-rollup-sink', topics: TOPIC, 'connection.url': url, rollups: Object.keys(ROLLUPS).join(','), 'batch.size': '5000', ...JSON_CONVERTERS };
  for (const [name, [groupBy, measures, filter]] of Object.entries(ROLLUPS)) {
    config[`rollup.${name}.group.by`] = groupBy;
    config[`rollup.${name}.measures`] = measures;
    if (filter) config[`rollup.${name}.filter`] = filter;
  }
  return config;
}

async function createConnector(connect: ConnectProcess, name: string, config: Record<string, string>): Promise<void> {
  const res = await fetch(`${connect.url}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, config }) });
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
}

async function failure(connect: ConnectProcess, name: string): Promise<string | null> {
  const res = await fetch(`${connect.url}/connectors/${name}/status`);
  if (res.status !== 200) return null;
  const s = (await res.json()) as { tasks: { state: string; trace?: string }[] };
  const failed = s.tasks.find((t) => t.state === 'FAILED');
  return failed ? (failed.trace ?? 'FAILED') : null;
}

async function timeUntil(connect: ConnectProcess, name: string, done: () => Promise<boolean>, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  while (!(await done())) {
    const trace = await failure(connect, name);
    if (trace) throw new Error(`${name} failed: ${trace.slice(0, 2000)}`);
    if (performance.now() - started > timeoutMs) throw new Error(`${name} did not finish in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<number> {
  let broker: BrokerProcess | undefined;
  let pg: EphemeralPostgres | undefined;
  let connect: ConnectProcess | undefined;
  const duckDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollup-bench-'));
  try {
    log('rollup-sink-bench: starting broker, Postgres and connect...');
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }), startPostgres()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, startTimeoutMs: 120_000 });
    const db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query('CREATE DATABASE ref');
    await db.query('CREATE DATABASE bi');
    await db.end();

    const kafka = new Kafka({ clientId: 'rollup-bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = changes();
    for (let i = 0; i < messages.length; i += 400) await producer.send({ topic: TOPIC, acks: 1, messages: messages.slice(i, i + 400) });
    await producer.disconnect();
    log(`rollup-sink-bench: ${CHANGES} change records in ${TOPIC}`);

    const stored = async (database: string, connector: string): Promise<number> => {
      const c = new Client({ host: pg!.host, port: pg!.port, user: pg!.user, database });
      try {
        await c.connect();
        const { rows } = await c.query<{ n: string }>('SELECT next_offset::text AS n FROM millrace_sink_offsets WHERE connector_name = $1', [connector]);
        return Number(rows[0]?.n ?? 0);
      } catch {
        return 0;
      } finally {
        await c.end().catch(() => undefined);
      }
    };
    const groupOffset = async (group: string): Promise<number> => {
      const a = kafka.admin();
      await a.connect();
      try {
        const [t] = await a.fetchOffsets({ groupId: group, topics: [TOPIC] });
        return Number(t?.partitions[0]?.offset ?? -1);
      } finally {
        await a.disconnect();
      }
    };

    const rows: { what: string; seconds: number }[] = [];
    log('rollup-sink-bench: reference, jdbc-sink upserting the rows...');
    await createConnector(connect, 'ref-upsert', {
      'connector.class': 'jdbc-sink',
      topics: TOPIC,
      'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/ref?user=${pg.user}`,
      'table.name.format': 'orders',
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'batch.size': '5000',
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.drop.tombstones': 'false',
      ...JSON_CONVERTERS,
    });
    rows.push({ what: 'jdbc-sink upsert (reference)', seconds: await timeUntil(connect, 'ref-upsert', async () => (await stored('ref', 'ref-upsert')) >= CHANGES) });
    log('rollup-sink-bench: bi-rollup-sink, 10 rollups into Postgres...');
    await createConnector(connect, 'rollups-pg', rollupConfig(`jdbc:postgresql://${pg.host}:${pg.port}/bi?user=${pg.user}`));
    rows.push({ what: 'bi-rollup-sink, 10 rollups, Postgres', seconds: await timeUntil(connect, 'rollups-pg', async () => (await stored('bi', 'rollups-pg')) >= CHANGES) });
    log('rollup-sink-bench: bi-rollup-sink, 10 rollups into DuckDB...');
    await createConnector(connect, 'rollups-duck', rollupConfig(`jdbc:duckdb:${path.join(duckDir, 'bi.duckdb')}`));
    rows.push({ what: 'bi-rollup-sink, 10 rollups, DuckDB', seconds: await timeUntil(connect, 'rollups-duck', async () => (await groupOffset('connect-rollups-duck')) >= CHANGES) });

    const ref = rows[0].seconds;
    process.stdout.write(`\n| sink (${CHANGES} changes, one topic) | s | changes/s | x reference |\n| --- | --- | --- | --- |\n`);
    for (const r of rows) process.stdout.write(`| ${r.what} | ${r.seconds.toFixed(2)} | ${Math.round(CHANGES / r.seconds)} | ${(ref / r.seconds).toFixed(2)} |\n`);
    process.stdout.write(`(${os.cpus().length} CPUs shared by broker, connect and Postgres; the DuckDB row ends at the group's committed offset)\n`);
    return 0;
  } catch (err) {
    log(`rollup-sink-bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    await connect?.stop().catch(() => undefined);
    await Promise.all([broker?.stop().catch(() => undefined), pg?.stop().catch(() => undefined)]);
    fs.rmSync(duckDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(String(err));
    process.exit(1);
  },
);
