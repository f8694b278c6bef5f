import {
  DuckDBDateValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  type DuckDBAppender,
} from '@duckdb/node-api';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import {
  DEBEZIUM_DATE,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_ZONED_TIME,
  DEBEZIUM_ZONED_TIMESTAMP,
  zonedTimestampToMicros,
} from '@millrace/jdbc';
import { decimalPrecision, decimalScale, UnsupportedSchemaError, VARIABLE_SCALE_DECIMAL, variableScaleDecimalText, type ColumnTypeFacts } from '@millrace/sink-rows';

/**
 * Connect schemas -> DuckDB column types (auto.create/auto.evolve) and Connect values ->
 * DuckDB appender calls.
 *
 * Types: int8 -> TINYINT, int16 -> SMALLINT, int32 -> INTEGER, int64 -> BIGINT, float32 ->
 * FLOAT, float64 -> DOUBLE, boolean -> BOOLEAN, string -> VARCHAR, bytes -> BLOB;
 * Decimal -> DECIMAL(p, s) when the schema carries connect.decimal.precision <= 38 (DuckDB's
 * most), else DECIMAL(38, s) (s <= 38), else DOUBLE; Debezium's VariableScaleDecimal ->
 * DECIMAL(38, 18) (any scale up to 18 digits exact, 20 integer digits);
 * Date and io.debezium.time.Date -> DATE; Time, io.debezium.time.Time and MicroTime ->
 * TIME; ZonedTime -> TIMETZ; Timestamp, io.debezium.time.Timestamp and MicroTimestamp ->
 * TIMESTAMP (holding UTC); ZonedTimestamp -> TIMESTAMPTZ.
 *
 * Values: the appender gets typed values (DuckDB casts them to the staging column's
 * type, which is the target's): integers and floats as numbers (int64 as BIGINT),
 * temporal values as DuckDB date/time/timestamp values in microseconds (ZonedTimestamp
 * parsed with its offset: DuckDB's own text cast of it ignores the offset), decimals as
 * their decimal text (exact), ZonedTime as its text, bytes as a BLOB. `appendFor` returns
 * the function for non-null values; null is appended with appendNull.
 */
export type AppendValue = (appender: DuckDBAppender, value: unknown) => void;

const MS_PER_DAY = 86_400_000;
const toBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));
const dateMs = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(v));

const PRIMITIVE_TYPES: Readonly<Partial<Record<ConnectSchema['type'], string>>> = {
  int8: 'tinyint',
  int16: 'smallint',
  int32: 'integer',
  int64: 'bigint',
  float32: 'float',
  float64: 'double',
  boolean: 'boolean',
  string: 'varchar',
  bytes: 'blob',
};

const appendNumber: AppendValue = (a, v) => a.appendInteger(Number(v));
const appendDouble: AppendValue = (a, v) => a.appendDouble(Number(v));
const PRIMITIVE_APPENDS: Readonly<Partial<Record<ConnectSchema['type'], AppendValue>>> = {
  int8: appendNumber,
  int16: appendNumber,
  int32: appendNumber,
  int64: (a, v) => a.appendBigInt(toBigInt(v)),
  float32: appendDouble,
  float64: appendDouble,
  boolean: (a, v) => a.appendBoolean(Boolean(v)),
  string: (a, v) => a.appendVarchar(String(v)),
  bytes: (a, v) => a.appendBlob(v instanceof Uint8Array ? v : Buffer.from(String(v))),
};

export function duckDbColumnType(schema: ConnectSchema): ColumnTypeFacts {
  switch (schema.name) {
    case DECIMAL_LOGICAL: {
      const scale = decimalScale(schema);
      const precision = decimalPrecision(schema, 38);
      if (precision !== undefined) return { type: 'decimal', precision, scale };
      return scale <= 38 ? { type: 'decimal', precision: 38, scale } : { type: 'double' };
    }
    case VARIABLE_SCALE_DECIMAL:
      return { type: 'decimal', precision: 38, scale: 18 };
    case DATE_LOGICAL:
    case DEBEZIUM_DATE:
      return { type: 'date' };
    case TIME_LOGICAL:
    case DEBEZIUM_TIME:
    case DEBEZIUM_MICRO_TIME:
      return { type: 'time' };
    case DEBEZIUM_ZONED_TIME:
      return { type: 'timetz' };
    case TIMESTAMP_LOGICAL:
    case DEBEZIUM_TIMESTAMP:
    case DEBEZIUM_MICRO_TIMESTAMP:
      return { type: 'timestamp' };
    case DEBEZIUM_ZONED_TIMESTAMP:
      return { type: 'timestamptz' };
    default:
      break;
  }
  const type = PRIMITIVE_TYPES[schema.type];
  if (type === undefined) throw new UnsupportedSchemaError(`no DuckDB column type for Connect type ${schema.type}`);
  return { type };
}

export function appendFor(schema: ConnectSchema): AppendValue {
  switch (schema.name) {
    case DECIMAL_LOGICAL:
      return (a, v) => (duckDbColumnType(schema).type === 'double' ? a.appendDouble(Number(v)) : a.appendVarchar(String(v)));
    case VARIABLE_SCALE_DECIMAL:
      return (a, v) => a.appendVarchar(variableScaleDecimalText(v));
    case DATE_LOGICAL:
      return (a, v) => a.appendDate(new DuckDBDateValue(Math.floor(dateMs(v) / MS_PER_DAY)));
    case DEBEZIUM_DATE:
      return (a, v) => a.appendDate(new DuckDBDateValue(Number(v)));
    case TIME_LOGICAL:
      return (a, v) => a.appendTime(new DuckDBTimeValue(BigInt(((dateMs(v) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) * 1000n));
    case DEBEZIUM_TIME:
      return (a, v) => a.appendTime(new DuckDBTimeValue(toBigInt(v) * 1000n));
    case DEBEZIUM_MICRO_TIME:
      return (a, v) => a.appendTime(new DuckDBTimeValue(toBigInt(v)));
    case DEBEZIUM_ZONED_TIME:
      return (a, v) => a.appendVarchar(String(v));
    case TIMESTAMP_LOGICAL:
      return (a, v) => a.appendTimestamp(new DuckDBTimestampValue(BigInt(dateMs(v)) * 1000n));
    case DEBEZIUM_TIMESTAMP:
      return (a, v) => a.appendTimestamp(new DuckDBTimestampValue(toBigInt(v) * 1000n));
    case DEBEZIUM_MICRO_TIMESTAMP:
      return (a, v) => a.appendTimestamp(new DuckDBTimestampValue(toBigInt(v)));
    case DEBEZIUM_ZONED_TIMESTAMP:
      return (a, v) => {
        const micros = zonedTimestampToMicros(String(v));
        if (micros === null) throw new TypeError(`"${String(v)}" is not an io.debezium.time.ZonedTimestamp (ISO-8601 with an offset)`);
        a.appendTimestampTZ(new DuckDBTimestampTZValue(micros));
      };
    default:
      break;
  }
  const append = PRIMITIVE_APPENDS[schema.type];
  if (append === undefined) throw new UnsupportedSchemaError(`no DuckDB value for Connect type ${schema.type}`);
  return append;
}

/** SQL text of a DuckDB column type: `BIGINT`, `DECIMAL(12,2)`. */
export function duckDbTypeSql(t: ColumnTypeFacts): string {
  const name = t.type.toUpperCase();
  return t.precision !== undefined && t.precision !== null ? `${name}(${t.precision},${t.scale ?? 0})` : name;
}

/** `"name"` with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `a.b` -> `"a"."b"`; a name has at most one dot (schema.table). */
export function quoteTable(table: string): string {
  const parts = table.split('.');
  if (parts.some((p) => p === '') || parts.length > 2) throw new Error(`invalid table name "${table}"`);
  return parts.map(quoteIdent).join('.');
}
