import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import { defaultLiteral, VARIABLE_SCALE_DECIMAL, variableScaleDecimalText, type ColumnTypeFacts } from '@millrace/sink-rows';
import {
  bindPlaceholder,
  daysToSqlDate,
  DEBEZIUM_DATE,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_ZONED_TIMESTAMP,
  microsToSqlTime,
  microsToSqlTimestamp,
  quoteIdentifier,
  quoteQualifiedName,
  type JdbcDriver,
} from '@millrace/jdbc';

// toSqlValue runs for every value: under CommonJS each use of an import from a package
// index is a getter call (the switch below evaluated 10 per value), so the names it
// compares with are bound once here.
const DECIMAL = DECIMAL_LOGICAL;
const DATE = DATE_LOGICAL;
const TIME = TIME_LOGICAL;
const TIMESTAMP = TIMESTAMP_LOGICAL;
const DBZ_DATE = DEBEZIUM_DATE;
const DBZ_TIME = DEBEZIUM_TIME;
const DBZ_MICRO_TIME = DEBEZIUM_MICRO_TIME;
const DBZ_TIMESTAMP = DEBEZIUM_TIMESTAMP;
const DBZ_MICRO_TIMESTAMP = DEBEZIUM_MICRO_TIMESTAMP;
const DBZ_ZONED_TIMESTAMP = DEBEZIUM_ZONED_TIMESTAMP;
const VSD = VARIABLE_SCALE_DECIMAL;
/** The names whose string values `toSqlValue` converts (the others keep their strings, ZonedTimestamp per dialect). */
const CONVERTED_NAMES: ReadonlySet<string> = new Set([VSD, DATE, TIME, TIMESTAMP, DBZ_DATE, DBZ_TIME, DBZ_MICRO_TIME, DBZ_TIMESTAMP, DBZ_MICRO_TIMESTAMP]);

export { assertPrimitive, decimalPrecision, decimalScale, UnsupportedSchemaError, VARIABLE_SCALE_DECIMAL } from '@millrace/sink-rows';

/**
 * What the JDBC sink needs to know about one SQL dialect: identifier quoting, the
 * Connect -> SQL column type mapping used by auto.create/auto.evolve, the DML it runs
 * (multi-row INSERT, upsert, UPDATE, multi-row DELETE) and the size limits of one
 * statement.
 *
 * Contracts:
 * - SQL text never embeds values: every value is a bind parameter, and `toSqlValue`
 *   turns a Connect value (connect-schema.ts representation) into what the driver
 *   binds. Dates/times are bound as UTC text ("YYYY-MM-DD", "HH:MM:SS.mmm",
 *   "YYYY-MM-DD HH:MM:SS.mmm"; Debezium's io.debezium.time.* values with their microseconds,
 *   ZonedTimestamp as its ISO text on PostgreSQL and as UTC text on MySQL) so the session
 *   time zone never shifts them; int64 bigints as decimal text; Decimal values as their
 *   decimal string.
 * - Identifiers are always quoted (case is kept as written in the schema); a table name
 *   "a.b" is schema/database "a", table "b".
 * - A statement never has more than `maxParameters` parameters; the writer also keeps
 *   the estimated text of one statement under `maxStatementBytes`.
 */
/** The driver a dialect speaks to (@millrace/jdbc's, which quotes identifiers and spells placeholders). */
export type SinkDialectName = JdbcDriver;

/** A column type in TypeORM TableColumn terms (type plus optional length/precision/scale). */
export interface SqlColumnType {
  readonly type: string;
  readonly length?: string;
  readonly precision?: number;
  readonly scale?: number;
}

export abstract class SinkDialect {
  abstract readonly name: SinkDialectName;
  /** Most bind parameters in one statement. */
  abstract readonly maxParameters: number;
  /** Budget for the estimated size of one statement's parameters, in bytes. */
  abstract readonly maxStatementBytes: number;
  /** MySQL column names compare case-insensitively; PostgreSQL quoted names do not. */
  abstract readonly caseInsensitiveColumns: boolean;

  abstract columnType(schema: ConnectSchema, isPrimaryKey: boolean): SqlColumnType;
  /** INSERT ... VALUES (...) x rowCount that updates the non-key columns on a key conflict. */
  abstract upsertSql(table: string, columns: readonly string[], keyColumns: readonly string[], rowCount: number): string;
  protected abstract booleanLiteral(value: boolean): string;
  /**
   * DDL changing an existing column in place (auto.evolve): `change` 'type' widens it to
   * `type`; 'nullable' drops its NOT NULL. `type`, `nullable` and `defaultSql` describe the
   * column as it is to be (MySQL restates the whole column; PostgreSQL changes one thing).
   */
  abstract modifyColumnSql(table: string, column: string, change: 'type' | 'nullable', type: ColumnTypeFacts, nullable: boolean, defaultSql: string | undefined): string;

  /** MySQL `name`, PostgreSQL "name" (@millrace/jdbc's quoting). */
  quoteIdentifier(name: string): string {
    return quoteIdentifier(this.name, name);
  }

  /** The placeholder of the 1-based parameter `index`: `?` (MySQL) or `$index` (PostgreSQL). */
  placeholder(index: number): string {
    return bindPlaceholder(this.name, index);
  }

  /** `a.b` -> `"a"."b"` (each part quoted). */
  quoteTable(table: string): string {
    return quoteQualifiedName(this.name, splitTableName(table));
  }

  /** Key used by the metadata cache to compare column names the way the database does. */
  normalizeColumnName(name: string): string {
    return this.caseInsensitiveColumns ? name.toLowerCase() : name;
  }

  insertSql(table: string, columns: readonly string[], rowCount: number): string {
    return `INSERT INTO ${this.quoteTable(table)} (${columns.map((c) => this.quoteIdentifier(c)).join(', ')}) VALUES ${this.valuesList(columns.length, rowCount)}`;
  }

  /** One row: `UPDATE t SET c1 = ?, ... WHERE k1 = ? AND ...`; parameters are the set columns, then the keys. */
  updateSql(table: string, setColumns: readonly string[], keyColumns: readonly string[]): string {
    let n = 0;
    const set = setColumns.map((c) => `${this.quoteIdentifier(c)} = ${this.placeholder(++n)}`).join(', ');
    const where = keyColumns.map((c) => `${this.quoteIdentifier(c)} = ${this.placeholder(++n)}`).join(' AND ');
    return `UPDATE ${this.quoteTable(table)} SET ${set} WHERE ${where}`;
  }

  /** `DELETE ... WHERE k IN (?, ...)` or, for a composite key, `WHERE (k1, k2) IN ((?, ?), ...)`. */
  deleteSql(table: string, keyColumns: readonly string[], rowCount: number): string {
    if (keyColumns.length === 0) throw new Error('deleteSql needs key columns');
    let n = 0;
    const tuples: string[] = [];
    for (let r = 0; r < rowCount; r++) {
      const params = keyColumns.map(() => this.placeholder(++n));
      tuples.push(keyColumns.length === 1 ? params[0] : `(${params.join(', ')})`);
    }
    const target = keyColumns.length === 1 ? this.quoteIdentifier(keyColumns[0]) : `(${keyColumns.map((c) => this.quoteIdentifier(c)).join(', ')})`;
    return `DELETE FROM ${this.quoteTable(table)} WHERE ${target} IN (${tuples.join(', ')})`;
  }

  /** `(p1, p2), (p3, p4)` for rowCount rows of width columns, numbering from 1. */
  protected valuesList(width: number, rowCount: number): string {
    const rows: string[] = new Array<string>(rowCount);
    let n = 0;
    for (let r = 0; r < rowCount; r++) {
      const row: string[] = new Array<string>(width);
      for (let c = 0; c < width; c++) row[c] = this.placeholder(++n);
      rows[r] = `(${row.join(', ')})`;
    }
    return rows.join(', ');
  }

  /**
   * A SQL literal for a schema default, usable in DDL, or undefined when the default
   * cannot be expressed (then the column gets none).
   */
  defaultLiteral(schema: ConnectSchema): string | undefined {
    return defaultLiteral(schema, (v) => this.booleanLiteral(v));
  }

  /** The bind value of a Connect value of `schema` (see the contract above). */
  toSqlValue(value: unknown, schema: ConnectSchema): unknown {
    if (value === null || value === undefined) return null;
    switch (schema.name) {
      case undefined:
        break;
      case DECIMAL:
        return typeof value === 'string' ? value : String(value);
      case VSD:
        return variableScaleDecimalText(value);
      case DATE:
        return value instanceof Date ? value.toISOString().slice(0, 10) : value;
      case TIME:
        return value instanceof Date ? value.toISOString().slice(11, 23) : value;
      case TIMESTAMP:
        return value instanceof Date ? `${value.toISOString().slice(0, 10)} ${value.toISOString().slice(11, 23)}` : value;
      case DBZ_DATE:
        return daysToSqlDate(Number(value));
      case DBZ_TIME:
        return microsToSqlTime(Number(value) * 1000);
      case DBZ_MICRO_TIME:
        return microsToSqlTime(Number(value));
      case DBZ_TIMESTAMP:
        return microsToSqlTimestamp(Number(value) * 1000);
      case DBZ_MICRO_TIMESTAMP:
        return microsToSqlTimestamp(Number(value));
      case DBZ_ZONED_TIMESTAMP:
        return this.zonedTimestampValue(String(value));
      default:
        break;
    }
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return value;
  }

  /** The bind text of a Debezium ZonedTimestamp (ISO-8601 with offset); PostgreSQL parses it as is. */
  protected zonedTimestampValue(text: string): string {
    return text;
  }

  /**
   * Whether `toSqlValue` returns every string value of `schema` (a string schema) as it
   * is, so a writer may pass the string's bytes through without decoding them (the
   * PostgreSQL COPY path, avro-copy-rows.ts). Must agree with `toSqlValue`.
   */
  keepsStrings(schema: ConnectSchema): boolean {
    if (schema.type !== 'string') return false;
    if (schema.name === DBZ_ZONED_TIMESTAMP) return this.keepsZonedTimestamps;
    return schema.name === undefined || !CONVERTED_NAMES.has(schema.name);
  }

  /** `zonedTimestampValue` returns its text as it is (dialects that override it say false). */
  protected readonly keepsZonedTimestamps: boolean = true;

  /** Rough size of a bound value in the statement, for `maxStatementBytes`. */
  estimateBytes(value: unknown): number {
    if (value === null) return 4;
    if (typeof value === 'string') return value.length * 2 + 2;
    if (Buffer.isBuffer(value)) return value.length * 2 + 3;
    return 16;
  }
}

/** Splits "schema.table" into its parts (a name without a dot is one part). */
export function splitTableName(table: string): string[] {
  const parts = table.split('.');
  if (parts.some((p) => p === '') || parts.length > 2) throw new Error(`invalid table name "${table}"`);
  return parts;
}
