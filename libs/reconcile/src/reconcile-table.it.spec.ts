import { BullMqChunkQueue } from '@millrace/cdc-snapshot';
import type { SqlTableRef } from '@millrace/connect-sdk';
import { startMariaDb, startPostgres, startRedis, type EphemeralMariaDb, type EphemeralPostgres, type EphemeralRedis } from '@millrace/testing';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { compareTable, openTableReader, type TableReport } from './index';

/**
 * compareTable across databases, on BullMQ: a Postgres source table and the same rows in
 * a MariaDB table whose column types differ as a sink would make them (numeric -> decimal,
 * timestamptz -> datetime(6), boolean -> tinyint(1), bytea -> varbinary, jsonb -> json,
 * text -> varchar) compare equal; a changed, a deleted and an extra row show as exactly
 * their chunks. The chunk jobs run on a BullMQ queue in a real Redis.
 */
describe('compareTable (Postgres source, MariaDB target, BullMQ chunks)', () => {
  const ROWS = 2_000;
  const CHUNK = 300;
  let pg: EphemeralPostgres;
  let maria: EphemeralMariaDb;
  let redis: EphemeralRedis;
  let source: SqlTableRef;
  let target: SqlTableRef;

  beforeAll(async () => {
    [pg, maria, redis] = await Promise.all([startPostgres(), startMariaDb(), startRedis()]);
    const db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query(`CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2), placed timestamptz, flag boolean, payload bytea, attrs jsonb)`);
    await db.query(
      `INSERT INTO orders SELECT g, 'c-' || (g % 13), (g * 1.5)::numeric(10,2), timestamptz '2026-03-01 08:00:00.25+01' + g * interval '1 second', g % 2 = 0,
              decode(md5(g::text), 'hex'), jsonb_build_object('line', g % 4, 'ok', g % 5 <> 0) FROM generate_series(1, ${ROWS}) g`,
    );
    const rows = (await db.query<{ id: number; customer: string; amount: string; placed: Date; flag: boolean; payload: Buffer; attrs: unknown }>('SELECT * FROM orders ORDER BY id')).rows;
    await db.end();
    const my = await createConnection({ host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: maria.database, timezone: 'Z' });
    await my.query(`SET time_zone = '+00:00'`);
    await my.query(`CREATE TABLE orders (id int PRIMARY KEY, customer varchar(40), amount decimal(12,2), placed datetime(6), flag tinyint(1), payload varbinary(16), attrs json, loaded_at datetime DEFAULT CURRENT_TIMESTAMP)`);
    for (let i = 0; i < rows.length; i += 500) {
      const part = rows.slice(i, i + 500);
      await my.query('INSERT INTO orders (id, customer, amount, placed, flag, payload, attrs) VALUES ?', [part.map((r) => [r.id, r.customer, r.amount, r.placed, r.flag ? 1 : 0, r.payload, JSON.stringify(r.attrs)])]);
    }
    await my.end();
    source = { dialect: 'postgres', host: pg.host, port: pg.port, database: pg.database, user: pg.user, schema: 'public', table: 'orders' };
    target = { dialect: 'mysql', host: maria.host, port: maria.port, database: maria.database, user: maria.user, password: maria.password, schema: null, table: 'orders' };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([pg?.stop(), maria?.stop(), redis?.stop()]);
  });

  const report = (): TableReport => ({ topic: 't', source: 's', target: 't', state: 'PENDING', key_columns: [], columns: [], chunks: 0, chunks_done: 0, source_rows: 0, target_rows: 0, drifted: [] });
  const run = async (): Promise<TableReport> => {
    const r = report();
    let n = 0;
    await compareTable(r, async () => ({ source: await openTableReader(source), target: await openTableReader(target) }), {
      chunkRows: CHUNK,
      concurrency: 2,
      queue: async () => {
        const q = new BullMqChunkQueue<number>({ redisUrl: redis.url, name: `reconcile-it-${Date.now()}-${n++}` });
        await q.obliterate();
        return q;
      },
    });
    return r;
  };

  it('finds equal rows equal across the two databases and their column types', async () => {
    const r = await run();
    expect(r.error).toBeUndefined();
    expect(r.state).toBe('COMPLETED');
    expect(r.columns).toEqual(['id', 'customer', 'amount', 'placed', 'flag', 'payload', 'attrs']);
    expect(r.chunks).toBe(Math.floor(ROWS / CHUNK) + 1);
    expect([r.source_rows, r.target_rows]).toEqual([ROWS, ROWS]);
    expect(r.drifted).toEqual([]);
  });

  it('reports exactly the chunks holding a changed, a deleted and an extra row', async () => {
    const my = await createConnection({ host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: maria.database });
    await my.query(`UPDATE orders SET placed = DATE_ADD(placed, INTERVAL 1 MICROSECOND) WHERE id = 450`);
    await my.query(`DELETE FROM orders WHERE id = 1234`);
    await my.query(`INSERT INTO orders (id, customer) VALUES (${ROWS + 1}, 'extra')`);
    await my.end();
    const r = await run();
    expect(r.drifted).toEqual([
      { chunk: 1, from: ['300'], to: ['600'], source_rows: CHUNK, target_rows: CHUNK },
      { chunk: 4, from: ['1200'], to: ['1500'], source_rows: CHUNK, target_rows: CHUNK - 1 },
      { chunk: 6, from: ['1800'], to: null, source_rows: ROWS - 1800, target_rows: ROWS - 1800 + 1 },
    ]);
  });

  it('fails a table without a primary key, naming it', async () => {
    const db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query('CREATE TABLE keyless (a int)');
    await db.end();
    const r = report();
    await compareTable(r, async () => ({ source: await openTableReader({ ...source, table: 'keyless' }), target: await openTableReader(target) }), { chunkRows: CHUNK, concurrency: 1 });
    expect(r.state).toBe('FAILED');
    expect(r.error).toMatch(/public\.keyless has no primary key/);
  });
});
