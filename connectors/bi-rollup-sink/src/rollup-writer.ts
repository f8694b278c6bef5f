import { decimalText, type Decimal } from './decimal';
import { best, isNoop, retracted, type GroupDelta, type RollupDelta } from './rollup-delta';
import type { MeasureDef } from './rollup-definition';
import { stateTable } from './rollup-tables';
import type { RollupConnection, RollupDialect, UpsertColumn } from './dialect/rollup-dialect';

/**
 * Applies one rollup's batch delta inside the caller's transaction, a few statements per
 * rollup (each chunked to the dialect's bind-parameter budget):
 *
 * 1. upsert every touched group, adding the counters' deltas; a min/max whose multiset
 *    only grew merges with the batch's best value (CASE, NULL-safe);
 * 2. upsert the state multisets (mult += delta), then delete the entries that reached 0;
 * 3. recompute min/max/count_distinct from the state for the groups where a min/max
 *    lost a value or a distinct multiset changed;
 * 4. delete the groups left without rows.
 *
 * Contract: touches only groups of `delta`; the result is the same whatever the batch
 * boundaries were (the algebra is additive) — which is what makes replay after a crash
 * safe together with the offsets stored in the same transaction.
 */
/** The upserts' alias of the stored row (the dialects' recompute uses the same). */
const ALIAS = 't';

/** The main table's columns in mainRow's order, typed as rollup-tables.ts creates them. */
function mainColumns(delta: RollupDelta): UpsertColumn[] {
  const cols: UpsertColumn[] = [{ name: '_group', type: 'key' }, ...delta.rollup.groups.map((g, i) => ({ name: g.alias, type: delta.columnKinds[i] ?? 'text' })), { name: '_rows', type: 'counter' }];
  for (const m of delta.rollup.measures) {
    const type = m.kind === 'avg' ? 'double' : m.kind === 'sum' || m.kind === 'min' || m.kind === 'max' ? 'numeric' : 'counter';
    cols.push({ name: m.alias, type });
    if (m.kind === 'sum' || m.kind === 'avg') cols.push({ name: `${m.alias}__sum`, type: 'numeric' }, { name: `${m.alias}__n`, type: 'counter' });
  }
  return cols;
}

const STATE_COLUMNS: UpsertColumn[] = [
  { name: '_group', type: 'key' },
  { name: 'm', type: 'int' },
  { name: 'vk', type: 'key' },
  { name: 'num', type: 'numeric' },
  { name: 'mult', type: 'counter' },
];

function mainRow(g: GroupDelta, measures: readonly MeasureDef[]): unknown[] {
  const row: unknown[] = [g.key, ...g.values, g.rows];
  measures.forEach((m, i) => {
    const d = g.measures[i];
    switch (m.kind) {
      case 'count':
      case 'count_col':
        row.push(d.n);
        break;
      case 'count_distinct':
        row.push(0);
        break;
      case 'sum':
        row.push(d.n > 0 ? decimalText(d.sum) : null, decimalText(d.sum), d.n);
        break;
      case 'avg':
        row.push(d.n > 0 ? Number(decimalText(d.sum)) / d.n : null, decimalText(d.sum), d.n);
        break;
      default: {
        const b: Decimal | null = retracted(d) ? null : best(d, m.kind as 'min' | 'max');
        row.push(b === null ? null : decimalText(b));
      }
    }
  });
  return row;
}

/** SET assignments adding deltas; derived values before the counters they read (see rollup-dialect.ts). */
function mainAssignments(d: RollupDialect, measures: readonly MeasureDef[]): string[] {
  const q = (c: string) => d.quote(c);
  const old = (c: string) => d.stored(ALIAS, c);
  const inc = (c: string) => d.incoming(c);
  const derived: string[] = [];
  const counters: string[] = [];
  const add = (c: string) => counters.push(`${q(c)} = ${old(c)} + ${inc(c)}`);
  for (const m of measures) {
    const a = m.alias;
    switch (m.kind) {
      case 'count':
      case 'count_col':
        add(a);
        break;
      case 'count_distinct':
        break;
      case 'sum':
        derived.push(`${q(a)} = CASE WHEN ${old(`${a}__n`)} + ${inc(`${a}__n`)} = 0 THEN NULL ELSE ${old(`${a}__sum`)} + ${inc(`${a}__sum`)} END`);
        add(`${a}__sum`);
        add(`${a}__n`);
        break;
      case 'avg':
        derived.push(
          `${q(a)} = CASE WHEN ${old(`${a}__n`)} + ${inc(`${a}__n`)} = 0 THEN NULL ELSE (${old(`${a}__sum`)} + ${inc(`${a}__sum`)}) / (${old(`${a}__n`)} + ${inc(`${a}__n`)}) END`,
        );
        add(`${a}__sum`);
        add(`${a}__n`);
        break;
      default: {
        const cmp = m.kind === 'min' ? '<' : '>';
        derived.push(`${q(a)} = CASE WHEN ${inc(a)} IS NULL THEN ${old(a)} WHEN ${old(a)} IS NULL OR ${inc(a)} ${cmp} ${old(a)} THEN ${inc(a)} ELSE ${old(a)} END`);
      }
    }
  }
  add('_rows');
  return [...derived, ...counters];
}

/** Runs `statement` over `items` in chunks of at most `perChunk`. */
async function chunked<T>(items: readonly T[], perChunk: number, statement: (chunk: readonly T[]) => Promise<void>): Promise<void> {
  const size = Math.max(1, perChunk);
  for (let i = 0; i < items.length; i += size) await statement(items.slice(i, i + size));
}

export async function applyRollupDelta(conn: RollupConnection, delta: RollupDelta): Promise<number> {
  const d = conn.dialect;
  const q = (c: string) => d.quote(c);
  const rollup = delta.rollup;
  // in key order, so that two tasks updating the same groups lock them in the same order
  const groups = [...delta.groups.values()].filter((g) => !isNoop(g)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (groups.length === 0) return 0;

  const columns = mainColumns(delta);
  const assignments = mainAssignments(d, rollup.measures);
  await chunked(groups, Math.floor(d.maxParams / columns.length), async (chunk) => {
    const { sql, params } = d.upsert(rollup.table, ALIAS, columns, ['_group'], chunk.map((g) => mainRow(g, rollup.measures)), assignments);
    await conn.query(sql, params);
  });

  const stateMeasures = rollup.measures.map((m, i) => ({ m, i })).filter(({ m }) => m.kind === 'min' || m.kind === 'max' || m.kind === 'count_distinct');
  if (stateMeasures.length > 0) {
    const entries: unknown[][] = [];
    const recompute: string[] = [];
    const touched: string[] = [];
    for (const g of groups) {
      let needs = false;
      let changed = false;
      for (const { m, i } of stateMeasures) {
        const md = g.measures[i];
        if (!md.multiset || md.multiset.size === 0) continue;
        changed = true;
        if (m.kind === 'count_distinct' || retracted(md)) needs = true;
        for (const [vk, e] of md.multiset) entries.push([g.key, i, vk, e.num === null ? null : decimalText(e.num), e.mult]);
      }
      if (changed) touched.push(g.key);
      if (needs) recompute.push(g.key);
    }
    const state = stateTable(rollup);
    await chunked(entries, Math.floor(d.maxParams / STATE_COLUMNS.length), async (chunk) => {
      const { sql, params } = d.upsert(state, ALIAS, STATE_COLUMNS, ['_group', 'm', 'vk'], chunk, [`${q('mult')} = ${d.stored(ALIAS, 'mult')} + ${d.incoming('mult')}`]);
      await conn.query(sql, params);
    });
    await chunked(touched, d.maxParams, async (chunk) => {
      const keys = d.keyIn(q('_group'), chunk);
      await conn.query(`DELETE FROM ${d.table(state)} WHERE ${q('mult')} = 0 AND ${keys.sql}`, keys.params);
    });
    const measures = stateMeasures.map(({ m, i }) => ({ column: m.alias, m: i, fn: m.kind === 'count_distinct' ? ('count' as const) : (m.kind as 'min' | 'max') }));
    await chunked(recompute, d.maxParams, async (chunk) => {
      const { sql, params } = d.recompute(rollup.table, state, measures, chunk);
      await conn.query(sql, params);
    });
  }

  const shrunk = groups.filter((g) => g.rows < 0).map((g) => g.key);
  await chunked(shrunk, d.maxParams, async (chunk) => {
    const keys = d.keyIn(q('_group'), chunk);
    await conn.query(`DELETE FROM ${d.table(rollup.table)} WHERE ${q('_rows')} <= 0 AND ${keys.sql}`, keys.params);
  });
  return groups.length;
}
