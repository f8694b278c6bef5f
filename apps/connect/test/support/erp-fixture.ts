import {
  startBroker,
  startConnect,
  startMariaDb,
  startPostgres,
  type BrokerProcess,
  type ConnectProcess,
  type EphemeralMariaDb,
  type EphemeralPostgres,
} from '@millrace/testing';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { Client } from 'pg';
import { ConnectRest, waitFor } from './connect-rest';
import { erpDigest, firstDifference, warehouseDigest, type TableDigest } from './erp-digest';
import { ERP_DDL, ERP_TABLES, type ErpTable } from './erp-schema';

export { ERP_COLUMNS, ERP_TABLES, type ErpTable } from './erp-schema';
export { erpDigest, firstDifference, warehouseDigest, type TableDigest } from './erp-digest';

/**
 * The "ERP to warehouse" pipeline shared by apps/connect/test/erp-warehouse.it.spec.ts and
 * bench/connect-bench.ts: a MariaDB ERP (customers, orders, order_lines) -> one
 * jdbc-source (timestamp+incrementing, Avro) -> broker -> one jdbc-sink (upsert,
 * record_key, auto.create) -> a Postgres warehouse.
 *
 * order_lines keeps its natural primary key (order_id, line_no) and also has a surrogate
 * `id` AUTO_INCREMENT UNIQUE column: the source takes the record key from the primary key
 * and the incrementing column from the auto-increment column, so all three tables run in
 * timestamp+incrementing mode (exact: ties on updated_at are ordered by id), and the sink
 * upserts order_lines on (order_id, line_no).
 *
 * Topics are erp.<table>; a dotted name would be schema.table for the sink, so the sink
 * routes erp.(.*) -> $1 with a RegexRouter and writes public.<table>.
 */

export interface ErpSizes {
  readonly customers: number;
  readonly orders: number;
  /** Lines per order; order_lines = orders * linesPerOrder. */
  readonly linesPerOrder: number;
}

/** 10k customers + 30k orders + 60k order lines = `total` rows (scaled). */
export function erpSizesFor(total: number): ErpSizes {
  const unit = Math.max(1, Math.round(total / 10));
  return { customers: unit, orders: unit * 3, linesPerOrder: 2 };
}

export function erpRowCount(s: ErpSizes): number {
  return s.customers + s.orders + s.orders * s.linesPerOrder;
}

export interface ErpPipeline {
  readonly broker: BrokerProcess;
  /** The first connect worker (the REST client talks to it). */
  readonly connect: ConnectProcess;
  /** Every connect worker of the group (one unless startErpPipeline was asked for more). */
  readonly workers: readonly ConnectProcess[];
  readonly maria: EphemeralMariaDb;
  readonly pg: EphemeralPostgres;
  /** ERP session (time_zone UTC). */
  readonly erp: Connection;
  readonly warehouse: Client;
  readonly rest: ConnectRest;
  stop(): Promise<void>;
}

/**
 * Starts broker, MariaDB and Postgres in parallel, then `workers` connect workers of one
 * group (default 1); opens one session to each database. `brokerEnv` adds broker settings.
 */
export async function startErpPipeline(workers = 1, brokerEnv: Record<string, string> = {}): Promise<ErpPipeline> {
  const started = await Promise.allSettled([
    startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', ...brokerEnv } }),
    startMariaDb({ database: 'erp', extraArgs: ['--innodb-buffer-pool-size=128M'] }),
    startPostgres({ database: 'warehouse' }),
  ]);
  const [b, m, p] = started;
  if (b.status === 'rejected' || m.status === 'rejected' || p.status === 'rejected') {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop().catch(() => undefined) : undefined)));
    throw started.find((s): s is PromiseRejectedResult => s.status === 'rejected')?.reason;
  }
  const broker = b.value;
  const maria = m.value;
  const pg = p.value;
  const connects: ConnectProcess[] = [];
  let erp: Connection | undefined;
  let warehouse: Client | undefined;
  const stop = async (): Promise<void> => {
    await erp?.end().catch(() => undefined);
    await warehouse?.end().catch(() => undefined);
    await Promise.all(connects.map((c) => c.stop().catch(() => undefined)));
    await Promise.all([broker.stop(), maria.stop(), pg.stop()].map((s) => s.catch(() => undefined)));
  };
  try {
    const started = await Promise.allSettled(Array.from({ length: workers }, () => startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://127.0.0.1:${broker.httpPort}` })));
    for (const w of started) if (w.status === 'fulfilled') connects.push(w.value);
    const failed = started.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    const connect = connects[0];
    erp = await createConnection({ host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: maria.database, dateStrings: true });
    await erp.query("SET time_zone = '+00:00'");
    warehouse = new Client({ connectionString: pg.connectionString });
    await warehouse.connect();
    await warehouse.query("SET TIME ZONE 'UTC'");
    return { broker, connect, workers: connects, maria, pg, erp, warehouse, rest: new ConnectRest(connect.url), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const BASE_MS = Date.UTC(2025, 0, 1);

function sqlTs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

async function insertChunked(erp: Connection, sql: string, count: number, row: (i: number) => unknown[], chunk = 5000): Promise<void> {
  for (let from = 1; from <= count; from += chunk) {
    const rows: unknown[][] = [];
    for (let i = from; i < Math.min(count + 1, from + chunk); i++) rows.push(row(i));
    await erp.query(sql, [rows]);
  }
}

/**
 * Creates the ERP tables and loads them with deterministic rows (multi-row INSERTs of
 * 5,000 rows). Timestamps lie in the past, a few ms apart, so the source reads them all.
 */
export async function createAndLoadErp(erp: Connection, sizes: ErpSizes): Promise<void> {
  for (const ddl of ERP_DDL) await erp.query(ddl);
  await insertChunked(erp, 'INSERT INTO customers (id, name, email, created_at, updated_at, credit) VALUES ?', sizes.customers, (i) => [
    i,
    `Customer ${i}`,
    `customer${i}@example.com`,
    sqlTs(BASE_MS + i * 3),
    sqlTs(BASE_MS + i * 3 + 1),
    money((i * 7919) % 10_000_000),
  ]);
  await insertChunked(erp, 'INSERT INTO orders (id, customer_id, status, total, updated_at) VALUES ?', sizes.orders, (i) => [
    i,
    ((i * 31) % sizes.customers) + 1,
    ['new', 'paid', 'shipped', 'closed'][i % 4],
    money((i * 104_729) % 100_000_000),
    sqlTs(BASE_MS + i * 2),
  ]);
  const lines = sizes.orders * sizes.linesPerOrder;
  await insertChunked(erp, 'INSERT INTO order_lines (id, order_id, line_no, sku, qty, price, updated_at) VALUES ?', lines, (i) => [
    i,
    Math.floor((i - 1) / sizes.linesPerOrder) + 1,
    ((i - 1) % sizes.linesPerOrder) + 1,
    `SKU-${(i * 13) % 5000}`,
    (i % 20) + 1,
    money((i * 15_485_863) % 10_000_000),
    sqlTs(BASE_MS + i),
  ]);
}

export interface ConnectorOptions {
  readonly batchMaxRows?: number;
  readonly pollIntervalMs?: number;
  /** tasks.max of the source and the sink (default 1). */
  readonly tasksMax?: number;
}

export function sourceConfig(p: ErpPipeline, opts: ConnectorOptions = {}): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': `jdbc:mariadb://${p.maria.host}:${p.maria.port}/${p.maria.database}?user=${p.maria.user}`,
    'tasks.max': String(opts.tasksMax ?? 1),
    mode: 'timestamp+incrementing',
    'timestamp.column.name': 'updated_at',
    'table.whitelist': ERP_TABLES.join(','),
    'topic.prefix': 'erp.',
    'batch.max.rows': String(opts.batchMaxRows ?? 5000),
    'poll.interval.ms': String(opts.pollIntervalMs ?? 200),
  };
}

export function sinkConfig(p: ErpPipeline, opts: ConnectorOptions = {}): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'connection.url': `jdbc:postgresql://${p.pg.host}:${p.pg.port}/${p.pg.database}?user=${p.pg.user}`,
    'tasks.max': String(opts.tasksMax ?? 1),
    topics: ERP_TABLES.map((t) => `erp.${t}`).join(','),
    'insert.mode': 'upsert',
    'pk.mode': 'record_key',
    'auto.create': 'true',
    'auto.evolve': 'true',
    'table.name.format': '${topic}',
    transforms: 'route',
    'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
    'transforms.route.regex': 'erp\\.(.*)',
    'transforms.route.replacement': '$1',
  };
}

/** Creates the source and sink connectors and waits until both run. */
export async function createErpConnectors(p: ErpPipeline, opts: ConnectorOptions = {}): Promise<void> {
  for (const [name, config] of [
    ['erp-source', sourceConfig(p, opts)],
    ['warehouse-sink', sinkConfig(p, opts)],
  ] as const) {
    const r = await p.rest.call('POST', '/connectors', { name, config });
    if (r.status !== 201) throw new Error(`creating ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  await p.rest.waitForState('erp-source', 'RUNNING', Math.min(opts.tasksMax ?? 1, ERP_TABLES.length));
  await p.rest.waitForState('warehouse-sink', 'RUNNING', opts.tasksMax ?? 1);
}

/** Throws with the connector status when a connector or task has FAILED (so waits fail fast). */
export async function assertNotFailed(p: ErpPipeline): Promise<void> {
  for (const name of ['erp-source', 'warehouse-sink']) {
    const s = await p.rest.status(name);
    if (s.connector.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED')) throw new Error(`${name} failed: ${JSON.stringify(s)}`);
  }
}

export async function erpCounts(erp: Connection): Promise<Record<ErpTable, number>> {
  const out = {} as Record<ErpTable, number>;
  for (const t of ERP_TABLES) {
    const [rows] = await erp.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${t}\``);
    out[t] = Number(rows[0]['n']);
  }
  return out;
}

/** Row counts of the warehouse tables (0 for a table the sink has not created yet). */
export async function warehouseCounts(wh: Client): Promise<Record<ErpTable, number>> {
  const out = {} as Record<ErpTable, number>;
  const existing = await wh.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
  const names = new Set(existing.rows.map((r) => r.table_name));
  for (const t of ERP_TABLES) {
    out[t] = names.has(t) ? Number((await wh.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${t}"`)).rows[0].n) : 0;
  }
  return out;
}

/** Waits until every warehouse table has as many rows as its ERP table; answers the ms it took. */
export async function waitForCounts(p: ErpPipeline, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  const want = await erpCounts(p.erp);
  await waitFor(
    `warehouse counts ${JSON.stringify(want)}`,
    async () => {
      await assertNotFailed(p);
      const got = await warehouseCounts(p.warehouse);
      return ERP_TABLES.every((t) => got[t] === want[t]);
    },
    timeoutMs,
  );
  return Date.now() - t0;
}

/** Waits until every table's digest is equal on both sides (rows can lag the count for updates). */
export async function waitForEqualDigests(p: ErpPipeline, timeoutMs: number): Promise<Record<ErpTable, TableDigest>> {
  let last = '';
  try {
    return await waitFor(
      'warehouse digests equal the ERP digests',
      async () => {
        await assertNotFailed(p);
        const out = {} as Record<ErpTable, TableDigest>;
        for (const t of ERP_TABLES) {
          const [a, b] = await Promise.all([erpDigest(p.erp, t), warehouseDigest(p.warehouse, t)]);
          if (a.rows !== b.rows || a.md5 !== b.md5) {
            last = `${t}: erp ${JSON.stringify(a)} warehouse ${JSON.stringify(b)}; first difference ${await firstDifference(p, t)}`;
            return undefined;
          }
          out[t] = a;
        }
        return out;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last difference: ${last}`);
  }
}

/**
 * Later changes, each one statement: `inserts` new rows (half new orders, half one
 * order line for each of them) and `updates` updated rows (half customers, half order
 * lines), every changed row with updated_at = NOW(3).
 */
export async function insertAndUpdate(erp: Connection, inserts: number, updates: number): Promise<void> {
  const [maxRows] = await erp.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS m FROM orders');
  const first = Number(maxRows[0]['m']) + 1;
  const newOrders = Math.ceil(inserts / 2);
  const newLines = inserts - newOrders;
  if (newOrders > 0) {
    const ids = Array.from({ length: newOrders }, (_, k) => first + k);
    await erp.query(
      `INSERT INTO orders (id, customer_id, status, total, updated_at) VALUES ${ids.map(() => "(?, ?, 'new', ?, NOW(3))").join(', ')}`,
      ids.flatMap((i) => [i, 1 + (i % 100), money(i * 3)]),
    );
  }
  if (newLines > 0) {
    const ids = Array.from({ length: newLines }, (_, k) => first + k);
    await erp.query(
      `INSERT INTO order_lines (order_id, line_no, sku, qty, price, updated_at) VALUES ${ids.map(() => "(?, 1, ?, 1, ?, NOW(3))").join(', ')}`,
      ids.flatMap((i) => [i, `SKU-NEW-${i}`, money(i % 10_000)]),
    );
  }
  const customerUpdates = Math.ceil(updates / 2);
  const lineUpdates = updates - customerUpdates;
  if (customerUpdates > 0) {
    await erp.query("UPDATE customers SET credit = credit + 1.25, name = CONCAT(name, '*'), updated_at = NOW(3) WHERE id <= ?", [customerUpdates]);
  }
  if (lineUpdates > 0) {
    await erp.query('UPDATE order_lines SET qty = qty + 1, price = price + 0.01, updated_at = NOW(3) WHERE order_id <= ? AND line_no = 2', [lineUpdates]);
  }
}

/** One marked change: orders.status of `id` set to `marker` with updated_at = NOW(3); answers the time the commit returned. */
export async function markOrder(erp: Connection, id: number, marker: string): Promise<number> {
  await erp.query('UPDATE orders SET status = ?, updated_at = NOW(3) WHERE id = ?', [marker, id]);
  return Date.now();
}

/**
 * Steady-state lag: sends `count` marked updates, `ratePerSec` per second (sequentially
 * committed), and watches the warehouse every 10 ms; answers each update's lag in ms from
 * its ERP commit to its visibility in the warehouse.
 */
export async function measureLag(p: ErpPipeline, count: number, ratePerSec: number, timeoutMs = 60_000): Promise<number[]> {
  const run = `lag${Date.now().toString(36)}`;
  const [rows] = await p.erp.query<RowDataPacket[]>('SELECT id FROM orders ORDER BY id LIMIT ?', [count]);
  const ids = rows.map((r) => Number(r['id']));
  const pending = new Map<number, { marker: string; committedAt: number }>();
  const lags: number[] = [];
  let sending = true;
  const sender = (async () => {
    const start = Date.now();
    for (let k = 0; k < ids.length; k++) {
      const due = start + (k * 1000) / ratePerSec;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const marker = `${run}-${k}`;
      const committedAt = await markOrder(p.erp, ids[k], marker);
      pending.set(ids[k], { marker, committedAt });
    }
    sending = false;
  })();
  const deadline = Date.now() + timeoutMs;
  while (sending || pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} marked updates not in the warehouse after ${timeoutMs} ms`);
    if (pending.size > 0) {
      const res = await p.warehouse.query<{ id: number; status: string }>('SELECT id, status FROM orders WHERE id = ANY($1::int[])', [[...pending.keys()]]);
      const seenAt = Date.now();
      for (const r of res.rows) {
        const want = pending.get(Number(r.id));
        if (want && r.status === want.marker) {
          lags.push(seenAt - want.committedAt);
          pending.delete(Number(r.id));
        }
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await sender;
  return lags;
}

/** Nearest-rank percentile of `values` (0 < q <= 1). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
