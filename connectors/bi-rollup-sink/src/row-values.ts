import { DATE_LOGICAL, DECIMAL_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import { DEBEZIUM_DATE, DEBEZIUM_MICRO_TIMESTAMP, DEBEZIUM_TIMESTAMP, DEBEZIUM_ZONED_TIMESTAMP } from '@millrace/jdbc';

/**
 * Reading the columns of one row image (a Debezium `before`/`after` struct, or a flat
 * record's value) as the rollups need them: a point in time for the time buckets, a
 * comparable key for grouping, a SQL column type for the group columns of a new table.
 *
 * Temporal values by the field's schema name (Kafka Connect's and Debezium's):
 *   Date / Timestamp (Kafka Connect)      a JS Date
 *   io.debezium.time.Date                 days since the epoch
 *   io.debezium.time.Timestamp            ms since the epoch (UTC wall time)
 *   io.debezium.time.MicroTimestamp       µs since the epoch
 *   io.debezium.time.NanoTimestamp        ns since the epoch
 *   io.debezium.time.ZonedTimestamp       ISO-8601 text with offset
 * Without a schema (JSON without schemas): a number is ms since the epoch, a string is
 * ISO-8601 (UTC when it names no offset).
 */
export type Row = Readonly<Record<string, unknown>>;

const NANO_TIMESTAMP = 'io.debezium.time.NanoTimestamp';

export function fieldSchema(rowSchema: ConnectSchema | null | undefined, name: string): ConnectSchema | null {
  return rowSchema?.fields?.find((f) => f.name === name)?.schema ?? null;
}

/** Milliseconds since the epoch of a temporal value; null for null; NaN when it is not a time. */
export function epochMillis(value: unknown, schema: ConnectSchema | null): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  const name = schema?.name;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    if (name === DEBEZIUM_DATE) return n * 86_400_000;
    if (name === DEBEZIUM_MICRO_TIMESTAMP) return Math.floor(n / 1000);
    if (name === NANO_TIMESTAMP) return Math.floor(n / 1_000_000);
    if (name === DEBEZIUM_TIMESTAMP || name === TIMESTAMP_LOGICAL || name === DATE_LOGICAL || name === undefined) return n;
    return NaN;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    const zoned = name === DEBEZIUM_ZONED_TIMESTAMP || /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(text);
    const iso = text.includes('T') || !/^\d{4}-\d\d-\d\d \d/.test(text) ? text : text.replace(' ', 'T');
    return Date.parse(zoned || /^\d{4}-\d\d-\d\d$/.test(iso) ? iso : `${iso}Z`);
  }
  return NaN;
}

/**
 * The value a group column stores and groups by: decimals and text as they are, Dates
 * as ISO text (Kafka Connect Date logical: 'YYYY-MM-DD'), bigints as text, Buffers as
 * base64; structs/arrays are refused by the caller (not groupable).
 */
export function groupValue(value: unknown, schema: ConnectSchema | null): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    if (typeof value === 'number' && schema?.name === DEBEZIUM_DATE) return new Date(value * 86_400_000).toISOString().slice(0, 10);
    return value;
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return schema?.name === DATE_LOGICAL ? value.toISOString().slice(0, 10) : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return JSON.stringify(value);
}

/** The SQL type family of a group column, from the field's schema (or a sample value when schemaless). */
export type ColumnKind = 'bigint' | 'double' | 'decimal' | 'boolean' | 'text' | 'date' | 'timestamp';

export function columnKind(schema: ConnectSchema | null, sample: unknown): ColumnKind {
  if (schema) {
    if (schema.name === DECIMAL_LOGICAL) return 'decimal';
    if (schema.name === DATE_LOGICAL || schema.name === DEBEZIUM_DATE) return 'date';
    if (schema.name === TIMESTAMP_LOGICAL) return 'timestamp';
    if (schema.name === DEBEZIUM_ZONED_TIMESTAMP) return 'text';
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
        return 'bigint';
      case 'float32':
      case 'float64':
        return 'double';
      case 'boolean':
        return 'boolean';
      default:
        return 'text';
    }
  }
  if (typeof sample === 'number') return Number.isInteger(sample) ? 'bigint' : 'double';
  if (typeof sample === 'bigint') return 'bigint';
  if (typeof sample === 'boolean') return 'boolean';
  return 'text';
}
