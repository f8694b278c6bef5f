import { DECIMAL_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import { zonedTimestampToMicros } from '@millrace/jdbc';
import { duckDbColumnType, duckDbTypeSql, quoteTable } from './duckdb-types';

const decimal = (parameters: Record<string, string>): ConnectSchema => ({ type: 'bytes', optional: false, name: DECIMAL_LOGICAL, parameters });

describe('DuckDB type mapping', () => {
  it('decimals: the schema precision up to 38 digits, DECIMAL(38, s) beyond or without it, DOUBLE for a scale DuckDB cannot hold', () => {
    expect(duckDbTypeSql(duckDbColumnType(decimal({ scale: '2', 'connect.decimal.precision': '12' })))).toBe('DECIMAL(12,2)');
    expect(duckDbTypeSql(duckDbColumnType(decimal({ scale: '4', 'connect.decimal.precision': '50' })))).toBe('DECIMAL(38,4)');
    expect(duckDbTypeSql(duckDbColumnType(decimal({ scale: '3' })))).toBe('DECIMAL(38,3)');
    expect(duckDbTypeSql(duckDbColumnType(decimal({ scale: '40' })))).toBe('DOUBLE');
  });

  it('rejects what a column cannot hold, naming the type', () => {
    expect(() => duckDbColumnType({ type: 'array', optional: true, valueSchema: { type: 'int32', optional: false } })).toThrow(/no DuckDB column type for Connect type array/);
  });

  it('quotes table names, schema.table included, and refuses malformed ones', () => {
    expect(quoteTable('orders')).toBe('"orders"');
    expect(quoteTable('erp.or"ders')).toBe('"erp"."or""ders"');
    expect(() => quoteTable('a.b.c')).toThrow(/invalid table name/);
  });

  it('parses Debezium ZonedTimestamp text with any offset spelling to UTC microseconds', () => {
    const utc = BigInt(Date.UTC(2024, 5, 1, 10, 0, 0)) * 1000n;
    expect(zonedTimestampToMicros('2024-06-01T10:00:00Z')).toBe(utc);
    expect(zonedTimestampToMicros('2024-06-01T12:00:00.000001+02:00')).toBe(utc + 1n);
    expect(zonedTimestampToMicros('2024-06-01T07:30:00.5-0230')).toBe(utc + 500_000n);
    expect(zonedTimestampToMicros('2024-06-01T11:00:00.123456789+01')).toBe(utc + 123_456n);
    expect(zonedTimestampToMicros('yesterday')).toBeNull();
  });
});
