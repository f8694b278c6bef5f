import type { ConnectField, ConnectSchema, SourceRecord, Struct } from '@millrace/connect-sdk';
import type { ColumnMapping, Dialect, RowCursor, SqlSyntax } from './dialect/dialect';
import type { JdbcSourceMode, TableRef } from './jdbc-source-config';
import { compareSqlTimestamp, formatSqlTimestamp, fromEpochMs, minusMs, parseSqlTimestamp, type SqlTimestamp } from './sql-timestamp';

/**
 * One table (or the custom query) polled incrementally: its query text, its position and
 * the records it produces.
 *
 * Queries (ts = the timestamp column, or COALESCE of several; inc = the incrementing column;
 * `end` = database time minus timestamp.delay.interval.ms, taken before each query):
 *   bulk                    SELECT * FROM t                          (streamed; re-read every poll)
 *   incrementing            SELECT * FROM t WHERE inc > ? ORDER BY inc ASC LIMIT n
 *   timestamp               SELECT * FROM t WHERE ts < end AND ts > ? ORDER BY ts ASC LIMIT n
 *   timestamp+incrementing  SELECT * FROM t WHERE ts < end AND ((ts = ? AND inc > ?) OR ts > ?)
 *                           ORDER BY ts ASC, inc ASC LIMIT n
 * Without a stored position the lower bound is left out (everything is read), or starts at
 * timestamp.initial. A custom query is used as a subquery: SELECT * FROM (query) ...
 *
 * Offsets (Confluent's shapes): incrementing `{incrementing}`, timestamp
 * `{timestamp, timestamp_nanos}`, timestamp+incrementing all three, bulk `{}`. A record's
 * offset is the position just after its row, so resuming from the last acked record's
 * offset neither repeats nor skips a row — exactly in the incrementing modes. Timestamp
 * mode cannot tell rows with equal timestamps apart: a page never ends inside such a
 * group (the trailing group is dropped and re-read, or a page that is one group is
 * completed with a `ts = ?` query), and every row of a group but its last carries the
 * offset before the group, so a restart inside a group re-reads the group (at least once,
 * never lost).
 *
 * Partitions: `{protocol: "1", table: "<schema>.<table>"}` (schema = the MySQL database or
 * the Postgres schema), `{query: "query"}` in query mode.
 *
 * Not safe for concurrent use: the task polls one querier at a time.
 */
export type QuerySource = { readonly kind: 'table'; readonly table: TableRef } | { readonly kind: 'query'; readonly sql: string };

export interface QuerySpec {
  readonly source: QuerySource;
  readonly mode: JdbcSourceMode;
  /** Required by the incrementing modes. */
  readonly incrementingColumn: string | null;
  /** Required by the timestamp modes. */
  readonly timestampColumns: readonly string[];
  /** query.suffix, appended to every statement. */
  readonly suffix: string;
}

/** Where a querier is: the last row read (null parts = from the beginning). */
export interface Position {
  readonly timestamp: SqlTimestamp | null;
  readonly incrementing: number | string | null;
}

export const START: Position = { timestamp: null, incrementing: null };

export interface BuiltQuery {
  readonly sql: string;
  readonly params: unknown[];
}

export function sourcePartition(source: QuerySource): Record<string, string> {
  return source.kind === 'table' ? { protocol: '1', table: `${source.table.schema}.${source.table.name}` } : { query: 'query' };
}

/** The offset map of a position in `mode`. */
export function offsetOf(mode: JdbcSourceMode, pos: Position): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (mode === 'timestamp' || mode === 'timestamp+incrementing') {
    out['timestamp'] = pos.timestamp?.epochMs ?? null;
    out['timestamp_nanos'] = pos.timestamp?.nanos ?? null;
  }
  if (mode === 'incrementing' || mode === 'timestamp+incrementing') out['incrementing'] = pos.incrementing;
  return out;
}

/** Reads a stored offset back (tolerates missing parts and JSON numbers/strings). */
export function positionFromOffset(offset: Readonly<Record<string, unknown>> | null): Position {
  if (!offset) return START;
  const ms = offset['timestamp'];
  const nanos = offset['timestamp_nanos'];
  let timestamp: SqlTimestamp | null = null;
  if (typeof ms === 'number' && Number.isFinite(ms)) {
    timestamp = typeof nanos === 'number' && Number.isFinite(nanos) ? { epochMs: ms, nanos } : fromEpochMs(ms);
  }
  const inc = offset['incrementing'];
  const incrementing = typeof inc === 'number' || (typeof inc === 'string' && inc !== '') ? inc : null;
  return { timestamp, incrementing };
}

function fromClause(syntax: SqlSyntax, source: QuerySource): string {
  return source.kind === 'table' ? syntax.tableName(source.table) : `(${source.sql}) ${syntax.quoteIdentifier('millrace_query')}`;
}

function timestampExpr(syntax: SqlSyntax, spec: QuerySpec): string {
  const cols = spec.timestampColumns.map((c) => syntax.quoteIdentifier(c));
  if (cols.length === 0) throw new Error(`mode ${spec.mode} needs timestamp.column.name`);
  return cols.length === 1 ? cols[0] : `COALESCE(${cols.join(', ')})`;
}

function incrementingExpr(syntax: SqlSyntax, spec: QuerySpec): string {
  if (!spec.incrementingColumn) throw new Error(`mode ${spec.mode} needs an incrementing column`);
  return syntax.quoteIdentifier(spec.incrementingColumn);
}

function withSuffix(sql: string, spec: QuerySpec): string {
  return spec.suffix ? `${sql} ${spec.suffix}` : sql;
}

/**
 * The statement for one page. `end` (timestamp modes) is the exclusive upper bound;
 * `limit` caps the page (ignored in bulk mode).
 */
export function buildQuery(syntax: SqlSyntax, spec: QuerySpec, pos: Position, end: SqlTimestamp | null, limit: number): BuiltQuery {
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return syntax.placeholder(params.length);
  };
  if (spec.mode === 'bulk') {
    const sql = spec.source.kind === 'query' ? spec.source.sql : `SELECT * FROM ${fromClause(syntax, spec.source)}`;
    return { sql: withSuffix(sql, spec), params };
  }
  const from = fromClause(syntax, spec.source);
  const conds: string[] = [];
  let order: string;
  if (spec.mode === 'incrementing') {
    const inc = incrementingExpr(syntax, spec);
    if (pos.incrementing !== null) conds.push(`${inc} > ${p(pos.incrementing)}`);
    order = `${inc} ASC`;
  } else {
    const ts = timestampExpr(syntax, spec);
    if (end === null) throw new Error('timestamp modes need an end time');
    conds.push(`${ts} < ${p(formatSqlTimestamp(end))}`);
    if (spec.mode === 'timestamp') {
      if (pos.timestamp !== null) conds.push(`${ts} > ${p(formatSqlTimestamp(pos.timestamp))}`);
      order = `${ts} ASC`;
    } else {
      const inc = incrementingExpr(syntax, spec);
      if (pos.timestamp !== null && pos.incrementing !== null) {
        const t = formatSqlTimestamp(pos.timestamp);
        conds.push(`((${ts} = ${p(t)} AND ${inc} > ${p(pos.incrementing)}) OR ${ts} > ${p(t)})`);
      } else if (pos.timestamp !== null) {
        conds.push(`${ts} >= ${p(formatSqlTimestamp(pos.timestamp))}`);
      }
      order = `${ts} ASC, ${inc} ASC`;
    }
  }
  const where = conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '';
  return { sql: withSuffix(`SELECT * FROM ${from}${where} ORDER BY ${order}${syntax.limit(limit)}`, spec), params };
}

/** Timestamp mode: every row whose timestamp equals `ts` (completes a tie group). */
export function buildTieQuery(syntax: SqlSyntax, spec: QuerySpec, ts: SqlTimestamp): BuiltQuery {
  const expr = timestampExpr(syntax, spec);
  return { sql: withSuffix(`SELECT * FROM ${fromClause(syntax, spec.source)} WHERE ${expr} = ${syntax.placeholder(1)}`, spec), params: [formatSqlTimestamp(ts)] };
}

export interface TableQuerierOptions {
  readonly dialect: Dialect;
  readonly spec: QuerySpec;
  readonly topic: string;
  /** Value schema name (the table name); undefined in query mode. */
  readonly valueSchemaName: string | undefined;
  /** Primary-key columns; empty = records without a key. */
  readonly keyColumns: readonly string[];
  readonly batchMaxRows: number;
  readonly pollIntervalMs: number;
  readonly timestampDelayMs: number;
  /** Position to start from (stored offset, or timestamp.initial). */
  readonly start: Position;
}

interface Layout {
  readonly valueSchema: ConnectSchema;
  readonly keySchema: ConnectSchema | null;
  readonly incIndex: number;
  readonly tsIndexes: readonly number[];
}

export class TableQuerier {
  readonly partition: Readonly<Record<string, string>>;
  /** Epoch ms at which this querier wants to be polled next (0 = now). */
  nextPollAt = 0;
  private position: Position;
  private pending: SourceRecord[] = [];
  private cursor: RowCursor | null = null;
  private readonly layouts = new WeakMap<readonly ColumnMapping[], Layout>();

  constructor(private readonly opts: TableQuerierOptions) {
    this.partition = sourcePartition(opts.spec.source);
    this.position = opts.start;
  }

  get currentPosition(): Position {
    return this.position;
  }

  /**
   * Runs at most one page query (or returns rows already fetched) and returns up to
   * `maxRecords` records. Sets `nextPollAt`: now while more rows are known or likely
   * (full page, open bulk cursor, buffered rows), else now + poll.interval.ms.
   */
  async poll(maxRecords: number): Promise<SourceRecord[]> {
    if (this.pending.length === 0) await this.fetch();
    const max = Math.max(1, maxRecords);
    let out: SourceRecord[];
    if (this.pending.length <= max) {
      // The common case (a page no larger than a read): the page itself, without copying it.
      out = this.pending;
      this.pending = [];
    } else {
      out = this.pending.splice(0, max);
    }
    if (this.pending.length > 0) this.nextPollAt = 0;
    return out;
  }

  /**
   * Closes an open bulk cursor (after an error, or at teardown); the querier stays usable
   * and keeps the records it already fetched.
   */
  async reset(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = null;
    await cursor?.close();
  }

  private async fetch(): Promise<void> {
    const { dialect, spec, batchMaxRows, pollIntervalMs } = this.opts;
    const now = Date.now();
    if (spec.mode === 'bulk') {
      if (!this.cursor) {
        const q = buildQuery(dialect, spec, START, null, batchMaxRows);
        this.cursor = await dialect.openCursor(q.sql, q.params);
      }
      const page = await this.cursor.next(batchMaxRows);
      if (page.rows.length === 0) {
        await this.reset();
        this.nextPollAt = now + pollIntervalMs;
        return;
      }
      const layout = this.layout(page.columns);
      const records = page.rows.map((row) => this.record(page.columns, layout, row, {}));
      this.append(records);
      this.nextPollAt = 0;
      return;
    }

    const end = spec.mode === 'incrementing' ? null : minusMs(await dialect.currentTime(), this.opts.timestampDelayMs);
    const q = buildQuery(dialect, spec, this.position, end, batchMaxRows);
    let page = await dialect.query(q.sql, q.params);
    const full = page.rows.length >= batchMaxRows;
    if (page.rows.length === 0) {
      this.nextPollAt = now + pollIntervalMs;
      return;
    }
    let layout = this.layout(page.columns);
    let rows = page.rows;

    if (spec.mode === 'timestamp') {
      if (full) {
        const lastTs = this.rowTimestamp(layout, rows[rows.length - 1]);
        if (lastTs !== null && compareMaybe(this.rowTimestamp(layout, rows[0]), lastTs) === 0) {
          const tie = buildTieQuery(dialect, spec, lastTs);
          page = await dialect.query(tie.sql, tie.params);
          layout = this.layout(page.columns);
          rows = page.rows;
        } else if (lastTs !== null) {
          let cut = rows.length;
          while (cut > 0 && compareMaybe(this.rowTimestamp(layout, rows[cut - 1]), lastTs) === 0) cut--;
          rows = rows.slice(0, cut);
        }
      }
    }

    // Built completely before anything is committed, so a failure leaves the state as it was.
    const records: SourceRecord[] = [];
    let position = this.position;
    if (spec.mode === 'timestamp') {
      for (let i = 0; i < rows.length; i++) {
        const ts = this.rowTimestamp(layout, rows[i]);
        const nextTs = i + 1 < rows.length ? this.rowTimestamp(layout, rows[i + 1]) : null;
        const lastOfGroup = i + 1 === rows.length || compareMaybe(ts, nextTs) !== 0;
        const after: Position = ts === null ? position : { timestamp: ts, incrementing: null };
        records.push(this.record(page.columns, layout, rows[i], offsetOf(spec.mode, lastOfGroup ? after : position)));
        if (lastOfGroup) position = after;
      }
    } else {
      for (const row of rows) {
        const inc = incrementingValue(row[layout.incIndex]);
        const ts = spec.mode === 'timestamp+incrementing' ? this.rowTimestamp(layout, row) : null;
        position = {
          timestamp: spec.mode === 'timestamp+incrementing' ? ts ?? position.timestamp : null,
          incrementing: inc ?? position.incrementing,
        };
        records.push(this.record(page.columns, layout, row, offsetOf(spec.mode, position)));
      }
    }
    this.position = position;
    this.append(records);
    this.nextPollAt = full ? 0 : now + pollIntervalMs;
  }

  private append(records: SourceRecord[]): void {
    if (this.pending.length === 0) this.pending = records;
    else for (const r of records) this.pending.push(r);
  }

  private record(columns: readonly ColumnMapping[], layout: Layout, row: readonly unknown[], offset: Record<string, unknown>): SourceRecord {
    const value: Struct = {};
    for (let i = 0; i < columns.length; i++) value[columns[i].name] = columns[i].convert(row[i]);
    let key: Struct | null = null;
    if (layout.keySchema) {
      key = {};
      for (const f of layout.keySchema.fields ?? []) key[f.name] = value[f.name];
    }
    return {
      topic: this.opts.topic,
      kafkaPartition: null,
      keySchema: layout.keySchema,
      key,
      valueSchema: layout.valueSchema,
      value,
      timestamp: null,
      headers: [],
      sourcePartition: this.partition,
      sourceOffset: offset,
    };
  }

  private layout(columns: readonly ColumnMapping[]): Layout {
    let layout = this.layouts.get(columns);
    if (layout) return layout;
    const { spec, keyColumns, valueSchemaName } = this.opts;
    const fields: ConnectField[] = columns.map((c, index) => ({ name: c.name, index, schema: c.schema }));
    const valueSchema: ConnectSchema = { type: 'struct', optional: false, ...(valueSchemaName ? { name: valueSchemaName } : {}), fields };
    let keySchema: ConnectSchema | null = null;
    if (keyColumns.length > 0) {
      const keyFields = keyColumns.map((k, index) => {
        const f = fields[columnIndex(columns, k)];
        return { name: f.name, index, schema: f.schema };
      });
      keySchema = { type: 'struct', optional: false, ...(valueSchemaName ? { name: `${valueSchemaName}.Key` } : {}), fields: keyFields };
    }
    const incIndex = spec.mode === 'incrementing' || spec.mode === 'timestamp+incrementing' ? columnIndex(columns, spec.incrementingColumn ?? '') : -1;
    const tsIndexes = spec.mode === 'timestamp' || spec.mode === 'timestamp+incrementing' ? spec.timestampColumns.map((c) => columnIndex(columns, c)) : [];
    layout = { valueSchema, keySchema, incIndex, tsIndexes };
    this.layouts.set(columns, layout);
    return layout;
  }

  /** COALESCE of the timestamp columns of a raw row, at full precision. */
  private rowTimestamp(layout: Layout, row: readonly unknown[]): SqlTimestamp | null {
    for (const i of layout.tsIndexes) {
      const raw = row[i];
      if (raw === null || raw === undefined) continue;
      if (raw instanceof Date) return fromEpochMs(raw.getTime());
      return parseSqlTimestamp(String(raw));
    }
    return null;
  }
}

function compareMaybe(a: SqlTimestamp | null, b: SqlTimestamp | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareSqlTimestamp(a, b);
}

/** Index of a result column: exact name first, then case-insensitive; throws when absent. */
export function columnIndex(columns: readonly ColumnMapping[], name: string): number {
  let i = columns.findIndex((c) => c.name === name);
  if (i < 0) i = columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
  if (i < 0) throw new Error(`column "${name}" is not in the result (columns: ${columns.map((c) => c.name).join(', ')})`);
  return i;
}

/** Offset form of an incrementing value: a number when it is a safe integer, else its text. */
export function incrementingValue(raw: unknown): number | string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw.toString();
  const text = String(raw);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}
