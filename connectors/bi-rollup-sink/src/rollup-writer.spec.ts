import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbRollupConnection } from './dialect/duckdb-rollup';
import { RollupDelta } from './rollup-delta';
import { parseRollup, type RollupDefinition } from './rollup-definition';
import { ensureRollupTables } from './rollup-tables';
import { applyRollupDelta } from './rollup-writer';

/**
 * The delta algebra and its SQL end to end on an embedded DuckDB (in-process, no server):
 * random inserts, updates (some moving rows to another group) and deletes, applied in
 * random batches, then every rollup table must equal the GROUP BY of the rows left.
 */
type Order = { id: number; customer: string; ordered_at: string; amount: string; product: string; status: string };

const defaults = { timeZone: 'UTC', shiftCalendar: 'A@06:00,B@14:00,C@22:00' };

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('rollup writer on DuckDB', () => {
  let dir: string;
  let conn: DuckDbRollupConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollup-writer-'));
    conn = await DuckDbRollupConnection.open(join(dir, 'bi.duckdb'), 6);
  });

  afterAll(async () => {
    await conn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('random changes in random batches: every rollup equals GROUP BY on the rows left', async () => {
    const random = prng(15);
    const rollups: RollupDefinition[] = [
      parseRollup('by_customer_day', { 'rollup.by_customer_day.group.by': 'customer, day(ordered_at) AS day', 'rollup.by_customer_day.measures': 'count, sum(amount), avg(amount), min(amount), max(amount), count_distinct(product)' }, defaults),
      parseRollup('by_shift', { 'rollup.by_shift.group.by': 'shift(ordered_at) AS shift', 'rollup.by_shift.measures': 'count, max(amount)', 'rollup.by_shift.filter': "status <> 'cancelled'" }, defaults),
    ];
    const rows = new Map<number, Order>();
    let nextId = 1;
    const make = (id: number): Order => ({
      id,
      customer: `c${Math.floor(random() * 6)}`,
      ordered_at: new Date(Date.UTC(2024, 5, 1) + Math.floor(random() * 3 * 86_400_000)).toISOString(),
      amount: (Math.floor(random() * 100_000) / 100).toFixed(2),
      product: `p${Math.floor(random() * 5)}`,
      status: random() < 0.2 ? 'cancelled' : 'open',
    });
    for (let batch = 0; batch < 40; batch++) {
      const deltas = rollups.map((r) => new RollupDelta(r));
      const fold = (before: Order | null, after: Order | null) => {
        for (const d of deltas) {
          if (before) d.add(before, null, -1);
          if (after) d.add(after, null, 1);
        }
      };
      const changes = 1 + Math.floor(random() * 60);
      for (let c = 0; c < changes; c++) {
        const pick = random();
        const ids = [...rows.keys()];
        const id = ids[Math.floor(random() * ids.length)];
        if (pick < 0.5 || ids.length === 0) {
          const o = make(nextId++);
          rows.set(o.id, o);
          fold(null, o);
        } else if (pick < 0.8) {
          const before = rows.get(id)!;
          const after = random() < 0.5 ? { ...make(id) } : { ...before, amount: (Number(before.amount) + 1).toFixed(2), status: random() < 0.3 ? 'cancelled' : before.status };
          rows.set(id, after);
          fold(before, after);
        } else {
          fold(rows.get(id)!, null);
          rows.delete(id);
        }
      }
      for (const d of deltas) await ensureRollupTables(conn, d.rollup, d.columnKinds);
      await conn.begin();
      for (const d of deltas) await applyRollupDelta(conn, d);
      await conn.commit();
    }

    await conn.query('CREATE TABLE src (id INTEGER, customer VARCHAR, ordered_at TIMESTAMP, amount DECIMAL(12,2), product VARCHAR, status VARCHAR)');
    const all = [...rows.values()];
    await conn.query(
      `INSERT INTO src VALUES ${all.map((_, i) => `(${[1, 2, 3, 4, 5, 6].map((k) => `$${i * 6 + k}`).join(', ')})`).join(', ')}`,
      all.flatMap((o) => [o.id, o.customer, o.ordered_at.replace('T', ' ').replace('Z', ''), o.amount, o.product, o.status]),
    );
    const text = (rs: Record<string, unknown>[]) => rs.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
    const expected = await conn.query(
      `SELECT customer, CAST(CAST(ordered_at AS DATE) AS VARCHAR) AS day, count(*)::BIGINT AS n, CAST(sum(amount) AS DECIMAL(38,2))::VARCHAR AS s, round(avg(amount), 6)::VARCHAR AS a,
              CAST(min(amount) AS DECIMAL(38,2))::VARCHAR AS mn, CAST(max(amount) AS DECIMAL(38,2))::VARCHAR AS mx, count(DISTINCT product)::BIGINT AS cd
       FROM src GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const actual = await conn.query(
      `SELECT customer, CAST(day AS VARCHAR) AS day, count AS n, CAST(sum_amount AS DECIMAL(38,2))::VARCHAR AS s, round(avg_amount, 6)::VARCHAR AS a,
              CAST(min_amount AS DECIMAL(38,2))::VARCHAR AS mn, CAST(max_amount AS DECIMAL(38,2))::VARCHAR AS mx, count_distinct_product AS cd
       FROM by_customer_day ORDER BY 1, 2`,
    );
    expect(rows.size).toBeGreaterThan(50);
    expect(text(actual)).toEqual(text(expected));
    const shiftsExpected = await conn.query(
      `SELECT strftime(CASE WHEN hour(ordered_at) < 6 THEN ordered_at - INTERVAL 1 DAY ELSE ordered_at END, '%Y-%m-%d') || ' ' ||
              CASE WHEN hour(ordered_at) >= 22 OR hour(ordered_at) < 6 THEN 'C' WHEN hour(ordered_at) >= 14 THEN 'B' ELSE 'A' END AS shift,
              count(*)::BIGINT AS n, CAST(max(amount) AS DECIMAL(38,2))::VARCHAR AS mx
       FROM src WHERE status <> 'cancelled' GROUP BY 1 ORDER BY 1`,
    );
    const shifts = await conn.query(`SELECT shift, count AS n, CAST(max_amount AS DECIMAL(38,2))::VARCHAR AS mx FROM by_shift ORDER BY 1`);
    expect(text(shifts)).toEqual(text(shiftsExpected));
    // no state rows with multiplicity 0 are kept, and none for groups that are gone
    expect(await conn.query('SELECT count(*)::INTEGER AS n FROM by_customer_day__state WHERE mult <= 0')).toEqual([{ n: 0 }]);
    expect(await conn.query('SELECT count(*)::INTEGER AS n FROM by_customer_day__state s WHERE NOT EXISTS (SELECT 1 FROM by_customer_day t WHERE t._group = s._group)')).toEqual([{ n: 0 }]);
  }, 60_000);
});
