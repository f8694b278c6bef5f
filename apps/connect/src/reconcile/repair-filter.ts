import type { SqlTableRef } from '@millrace/connect-sdk';
import type { DriftedChunk } from '@millrace/reconcile';

/**
 * The `additional-conditions` filter of an incremental snapshot that re-reads exactly the
 * drifted chunks of a table: the OR of their key ranges, `(k1, k2) > (lo) AND (k1, k2) <=
 * (hi)` with identifiers quoted for the source's dialect and key values as SQL string
 * literals (quotes doubled; the database converts them to the key's type).
 */
export function driftFilter(source: SqlTableRef, keyColumns: readonly string[], drifted: readonly DriftedChunk[]): string {
  const quote = source.dialect === 'mysql' ? (n: string) => `\`${n.replace(/`/g, '``')}\`` : (n: string) => `"${n.replace(/"/g, '""')}"`;
  const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const cols = keyColumns.length === 1 ? quote(keyColumns[0]) : `(${keyColumns.map(quote).join(', ')})`;
  const tuple = (values: readonly string[]) => (values.length === 1 ? literal(values[0]) : `(${values.map(literal).join(', ')})`);
  return drifted
    .map((d) => {
      const parts = [...(d.from ? [`${cols} > ${tuple(d.from)}`] : []), ...(d.to ? [`${cols} <= ${tuple(d.to)}`] : [])];
      return parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`;
    })
    .join(' OR ');
}

/** The table's name in a signal's data-collections: `schema.table` (Postgres) or `database.table` (MySQL). */
export function dataCollection(source: SqlTableRef): string {
  return `${source.schema ?? source.database}.${source.table}`;
}
