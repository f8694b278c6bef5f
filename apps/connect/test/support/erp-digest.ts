import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Client } from 'pg';
import { ERP_COLUMNS, type ColumnSpec, type ErpTable } from './erp-schema';

/**
 * Digests of the ERP tables computed the same way on the MariaDB ERP and the Postgres
 * warehouse, so equal digests mean equal tables (contract on erpRows below).
 */
function mariaExpr(c: ColumnSpec): string {
  const col = `t.\`${c.name}\``;
  switch (c.kind) {
    case 'int':
    case 'text':
      return `CAST(${col} AS CHAR)`;
    case 'decimal2':
      return `CAST(CAST(${col} AS DECIMAL(20,2)) AS CHAR)`;
    case 'ts3':
      return `DATE_FORMAT(${col}, '%Y-%m-%dT%H:%i:%s.%fZ')`;
  }
}

function pgExpr(c: ColumnSpec): string {
  const col = `t."${c.name}"`;
  switch (c.kind) {
    case 'int':
    case 'text':
      return `${col}::text`;
    case 'decimal2':
      return `round(${col}::numeric, 2)::text`;
    case 'ts3':
      // timestamp (without zone) or timestamptz with the session in UTC.
      return `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  }
}

export interface TableDigest {
  readonly rows: number;
  readonly md5: string;
}

function digest(rows: readonly (readonly (string | null)[])[]): TableDigest {
  const h = createHash('md5');
  for (const r of rows) h.update(`${r.map((v) => (v === null ? '\\N' : v)).join('|')}\n`);
  return { rows: rows.length, md5: h.digest('hex') };
}

/**
 * md5 over every row, ordered by primary key (qualified: an unqualified ORDER BY name
 * would pick Postgres' text output column of the same name), every column rendered as canonical text
 * (integers and strings as is, decimals with exactly 2 decimals, timestamps as ISO UTC
 * with microseconds), columns joined by "|", rows by "\n"; computed the same way on both
 * sides so equal digests mean equal tables.
 */
async function erpRows(erp: Connection, table: ErpTable): Promise<(string | null)[][]> {
  const spec = ERP_COLUMNS[table];
  const sql = `SELECT ${spec.columns.map(mariaExpr).join(', ')} FROM \`${table}\` t ORDER BY ${spec.pk.map((k) => `t.\`${k}\``).join(', ')}`;
  const [rows] = await erp.query<RowDataPacket[]>({ sql, rowsAsArray: true });
  return rows as unknown as (string | null)[][];
}

async function warehouseRows(wh: Client, table: ErpTable): Promise<(string | null)[][]> {
  const spec = ERP_COLUMNS[table];
  const sql = `SELECT ${spec.columns.map(pgExpr).join(', ')} FROM "${table}" t ORDER BY ${spec.pk.map((k) => `t."${k}"`).join(', ')}`;
  const res = await wh.query<(string | null)[]>({ text: sql, rowMode: 'array' });
  return res.rows;
}

export async function erpDigest(erp: Connection, table: ErpTable): Promise<TableDigest> {
  return digest(await erpRows(erp, table));
}

export async function warehouseDigest(wh: Client, table: ErpTable): Promise<TableDigest> {
  return digest(await warehouseRows(wh, table));
}

/** The first row (canonical text) that differs between the two sides, for failure messages. */
export async function firstDifference(p: { readonly erp: Connection; readonly warehouse: Client }, table: ErpTable): Promise<string> {
  const [a, b] = await Promise.all([erpRows(p.erp, table), warehouseRows(p.warehouse, table)]);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]?.join('|');
    const y = b[i]?.join('|');
    if (x !== y) return `row ${i}: erp ${x ?? '(none)'} warehouse ${y ?? '(none)'}`;
  }
  return 'none';
}
