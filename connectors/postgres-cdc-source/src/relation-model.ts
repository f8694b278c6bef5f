import type { Client } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import type { DecimalHandlingMode } from './postgres-cdc-config';
import { buildTableModel, readCatalog, type CatalogColumn, type ModelOptions, type TableModel } from './table-catalog';

/**
 * A table's model rebuilt from a pgoutput Relation message (DDL mid-stream).
 *
 * The server sends a Relation message before the first change of a table in a session
 * and again after its definition changed. The message is the table as the WAL has it at
 * that point: its live columns in order with type oid and typmod (so an added column, a
 * dropped one, int -> bigint or varchar(10) -> varchar(50) show up exactly where they
 * happened in the stream, even when the catalog has moved on since). What the message
 * lacks comes from the catalog now: NOT NULL, the default expression, the primary key
 * (Debezium's record key; pgoutput flags every column as key under REPLICA IDENTITY
 * FULL), and the type's SQL name (format_type). A column the catalog no longer has
 * (dropped again since) is taken as nullable without a default.
 *
 * Contract: `modelFromRelation` returns `current` itself when the rebuilt key and value
 * schemas equal the current ones (the message repeats what is known, e.g. after a
 * reconnect), so records keep sharing one schema object; otherwise a new model, whose
 * schemas the Avro converter registers as the subject's next version.
 */
export async function modelFromRelation(
  db: Client,
  message: Pgoutput.MessageRelation,
  current: TableModel,
  topicPrefix: string,
  decimalMode: DecimalHandlingMode,
  options: ModelOptions = {},
): Promise<TableModel> {
  const catalog = await readCatalog(db, message.relationOid);
  const byName = new Map(catalog.columns.map((c) => [c.name, c]));
  const types = await db.query<{ sqltype: string }>(
    `SELECT format_type(t.oid, t.mod) AS sqltype FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS t(oid, mod, ord) ORDER BY t.ord`,
    [message.columns.map((c) => c.typeOid), message.columns.map((c) => c.typeMod)],
  );
  const columns: CatalogColumn[] = message.columns.map((c, i) => {
    const known = byName.get(c.name);
    return { name: c.name, typeOid: c.typeOid, typeMod: c.typeMod, sqlType: types.rows[i]?.sqltype ?? 'unknown', optional: known ? known.optional : true, defaultExpr: known?.defaultExpr ?? null };
  });
  const names = new Set(columns.map((c) => c.name));
  const keyColumns = catalog.keyColumns.filter((k) => names.has(k));
  const rebuilt = buildTableModel({ schema: message.schema, name: message.name }, message.relationOid, columns, keyColumns, topicPrefix, decimalMode, options);
  return sameSchemas(rebuilt, current) ? current : rebuilt;
}

function sameSchemas(a: TableModel, b: TableModel): boolean {
  const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  return a.oid === b.oid && text(a.keySchema) === text(b.keySchema) && text(a.valueSchema) === text(b.valueSchema);
}

/** What changed between two models of a table, for the log: "added x int4, dropped y, n int4 -> int8". */
export function describeChange(before: TableModel, after: TableModel): string {
  const old = new Map(before.columns.map((c) => [c.name, c]));
  const now = new Map(after.columns.map((c) => [c.name, c]));
  const parts: string[] = [];
  for (const c of after.columns) {
    const o = old.get(c.name);
    if (!o) parts.push(`added ${c.name} ${c.sqlType}`);
    else if (o.sqlType !== c.sqlType) parts.push(`${c.name} ${o.sqlType} -> ${c.sqlType}`);
    else if (o.optional !== c.optional) parts.push(`${c.name} ${c.optional ? 'nullable' : 'NOT NULL'}`);
  }
  for (const c of before.columns) if (!now.has(c.name)) parts.push(`dropped ${c.name}`);
  return parts.length > 0 ? parts.join(', ') : 'defaults or key changed';
}
