import { isStateMeasure, type RollupDefinition } from './rollup-definition';
import type { RollupConnection, RollupDialect } from './dialect/rollup-dialect';
import type { ColumnKind } from './row-values';

/**
 * The tables of one rollup, created when missing (before and outside the data
 * transaction; CREATE TABLE IF NOT EXISTS, so concurrent tasks and restarts are fine):
 *
 *   <table>          _group (key text of the group values, primary key), the group
 *                    columns, _rows (rows in the group), then per measure:
 *                      count, count(c), count_distinct(c)  <alias> BIGINT
 *                      sum(c)   <alias> NUMERIC (NULL when no value), <alias>__sum NUMERIC, <alias>__n BIGINT
 *                      avg(c)   <alias> DOUBLE, <alias>__sum NUMERIC, <alias>__n BIGINT
 *                      min/max(c)  <alias> NUMERIC
 *   <table>__state   only with min/max/count_distinct: _group, m (measure position),
 *                    vk (value key), num (the value, min/max), mult (multiplicity);
 *                    primary key (_group, m, vk)
 *
 * A group is a row while it has rows (_rows > 0), as SQL's GROUP BY shows it. The group
 * columns' types come from the first batch (the record schema; text when unknown).
 */
export function stateTable(rollup: RollupDefinition): string {
  return `${rollup.table}__state`;
}

export function hasState(rollup: RollupDefinition): boolean {
  return rollup.measures.some((m) => isStateMeasure(m.kind));
}

export function mainTableDdl(d: RollupDialect, rollup: RollupDefinition, kinds: readonly (ColumnKind | null)[]): string {
  const q = (c: string) => d.quote(c);
  const cols = [`${q('_group')} ${d.columnType('key')} NOT NULL`];
  rollup.groups.forEach((g, i) => cols.push(`${q(g.alias)} ${d.columnType(kinds[i] ?? 'text')}`));
  cols.push(`${q('_rows')} ${d.columnType('counter')} NOT NULL`);
  for (const m of rollup.measures) {
    switch (m.kind) {
      case 'count':
      case 'count_col':
      case 'count_distinct':
        cols.push(`${q(m.alias)} ${d.columnType('counter')} NOT NULL`);
        break;
      case 'sum':
        cols.push(`${q(m.alias)} ${d.columnType('numeric')}`, `${q(`${m.alias}__sum`)} ${d.columnType('numeric')} NOT NULL`, `${q(`${m.alias}__n`)} ${d.columnType('counter')} NOT NULL`);
        break;
      case 'avg':
        cols.push(`${q(m.alias)} ${d.columnType('double')}`, `${q(`${m.alias}__sum`)} ${d.columnType('numeric')} NOT NULL`, `${q(`${m.alias}__n`)} ${d.columnType('counter')} NOT NULL`);
        break;
      default:
        cols.push(`${q(m.alias)} ${d.columnType('numeric')}`);
    }
  }
  cols.push(`PRIMARY KEY (${q('_group')})`);
  return `CREATE TABLE IF NOT EXISTS ${d.table(rollup.table)} (${cols.join(', ')})`;
}

export function stateTableDdl(d: RollupDialect, rollup: RollupDefinition): string {
  const q = (c: string) => d.quote(c);
  return (
    `CREATE TABLE IF NOT EXISTS ${d.table(stateTable(rollup))} (${q('_group')} ${d.columnType('key')} NOT NULL, ${q('m')} ${d.columnType('int')} NOT NULL, ` +
    `${q('vk')} ${d.columnType('key')} NOT NULL, ${q('num')} ${d.columnType('numeric')}, ${q('mult')} ${d.columnType('counter')} NOT NULL, ` +
    `PRIMARY KEY (${q('_group')}, ${q('m')}, ${q('vk')}))`
  );
}

/** Creates the rollup's tables when missing. Postgres may fail a racing CREATE … IF NOT EXISTS: then the table is there. */
export async function ensureRollupTables(conn: RollupConnection, rollup: RollupDefinition, kinds: readonly (ColumnKind | null)[]): Promise<void> {
  const statements = [mainTableDdl(conn.dialect, rollup, kinds)];
  if (hasState(rollup)) statements.push(stateTableDdl(conn.dialect, rollup));
  for (const sql of statements) {
    try {
      await conn.query(sql);
    } catch (err) {
      if (!/already exists|duplicate key/i.test(String((err as Error).message))) throw err;
    }
  }
}
