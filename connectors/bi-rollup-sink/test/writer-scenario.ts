import { prng } from '@millrace/testing';
import { addDecimal, compareDecimal, decimalText, parseDecimal, ZERO, type Decimal } from '../src/decimal';
import type { RollupConnection } from '../src/dialect/rollup-dialect';
import { RollupDelta } from '../src/rollup-delta';
import { parseRollup, type RollupDefinition } from '../src/rollup-definition';
import { ensureRollupTables } from '../src/rollup-tables';
import { applyRollupDelta } from '../src/rollup-writer';

/**
 * The writer scenario every dialect runs: random inserts, updates (half of them moving
 * the row to another customer/day) and deletes of orders, folded and applied in random
 * batches (one transaction each), then the rollup table is read back and compared with
 * the same aggregate computed in memory from the rows left — exact sums, extremes,
 * distinct counts, averages to 6 places, no group without rows, case-sensitive groups.
 */
type Order = { id: number; customer: string; ordered_at: string; amount: string; product: string };

const num = (v: unknown): string | null => (v === null || v === undefined ? null : decimalText(parseDecimal(typeof v === 'bigint' ? v : String(v))!));

export async function runWriterScenario(conn: RollupConnection, table: string, seed: number, textCast: (expr: string) => string): Promise<{ expected: string[]; actual: string[]; rows: number; stateLeft: number }> {
  const random = prng(seed);
  const rollup: RollupDefinition = parseRollup(
    table,
    { [`rollup.${table}.group.by`]: 'customer, day(ordered_at) AS day', [`rollup.${table}.measures`]: 'count, sum(amount), avg(amount), min(amount), max(amount), count_distinct(product)' },
    { timeZone: 'UTC', shiftCalendar: 'A@06:00' },
  );
  const rows = new Map<number, Order>();
  let nextId = 1;
  const make = (id: number): Order => ({
    id,
    // customers differing only in case are different groups (MySQL's default collations would merge them)
    customer: `${random() < 0.5 ? 'c' : 'C'}${Math.floor(random() * 3)}`,
    ordered_at: new Date(Date.UTC(2024, 5, 1) + Math.floor(random() * 3 * 86_400_000)).toISOString(),
    amount: (Math.floor(random() * 100_000) / 100).toFixed(2),
    product: `p${Math.floor(random() * 5)}`,
  });
  for (let batch = 0; batch < 30; batch++) {
    const delta = new RollupDelta(rollup);
    for (let c = 1 + Math.floor(random() * 60); c > 0; c--) {
      const ids = [...rows.keys()];
      const id = ids[Math.floor(random() * ids.length)];
      const pick = random();
      if (pick < 0.5 || ids.length === 0) {
        const o = make(nextId++);
        rows.set(o.id, o);
        delta.add(o, null, 1);
      } else if (pick < 0.8) {
        const before = rows.get(id)!;
        const after = random() < 0.5 ? make(id) : { ...before, amount: (Number(before.amount) + 1).toFixed(2) };
        rows.set(id, after);
        delta.add(before, null, -1);
        delta.add(after, null, 1);
      } else {
        delta.add(rows.get(id)!, null, -1);
        rows.delete(id);
      }
    }
    await ensureRollupTables(conn, rollup, delta.columnKinds);
    await conn.begin();
    try {
      await applyRollupDelta(conn, delta);
      await conn.commit();
    } catch (err) {
      await conn.rollback();
      throw err;
    }
  }

  const groups = new Map<string, { customer: string; day: string; n: number; sum: Decimal; min: Decimal | null; max: Decimal | null; products: Set<string> }>();
  for (const o of rows.values()) {
    const day = o.ordered_at.slice(0, 10);
    const key = `${o.customer}|${day}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { customer: o.customer, day, n: 0, sum: ZERO, min: null, max: null, products: new Set() }));
    const a = parseDecimal(o.amount)!;
    g.n++;
    g.sum = addDecimal(g.sum, a);
    if (g.min === null || compareDecimal(a, g.min) < 0) g.min = a;
    if (g.max === null || compareDecimal(a, g.max) > 0) g.max = a;
    g.products.add(o.product);
  }
  const expected = [...groups.values()]
    .map((g) => JSON.stringify([g.customer, g.day, g.n, decimalText(g.sum), (Number(decimalText(g.sum)) / g.n).toFixed(6), decimalText(g.min!), decimalText(g.max!), g.products.size]))
    .sort();
  const d = conn.dialect;
  const q = (c: string) => d.quote(c);
  const read = await conn.query(
    `SELECT ${q('customer')} AS c, ${textCast(q('day'))} AS d, ${q('count')} AS n, ${q('sum_amount')} AS s, ${q('avg_amount')} AS a, ${q('min_amount')} AS mn, ${q('max_amount')} AS mx, ${q('count_distinct_product')} AS cd FROM ${d.table(table)}`,
  );
  const actual = read.map((r) => JSON.stringify([r.c, String(r.d).slice(0, 10), Number(r.n), num(r.s), Number(r.a).toFixed(6), num(r.mn), num(r.mx), Number(r.cd)])).sort();
  const state = await conn.query(`SELECT count(*) AS n FROM ${d.table(`${table}__state`)} WHERE ${q('mult')} <= 0`);
  return { expected, actual, rows: rows.size, stateLeft: Number(state[0]?.n ?? -1) };
}
