import {
  DATE_LOGICAL,
  DECIMAL_LOGICAL,
  TIME_LOGICAL,
  TIMESTAMP_LOGICAL,
  type ConnectSchema,
  type SchemaType,
} from '@millrace/connect-sdk';
import type { NumericMapping } from '../jdbc-source-config';
import { parseSqlTimestamp } from '../sql-timestamp';
import type { ColumnMapping } from './dialect';

/**
 * Driver-neutral pieces of the column type -> Connect schema mapping and the raw value ->
 * Connect value conversions (value contract: libs/connect-sdk connect-schema.ts).
 *
 * DECIMAL/NUMERIC(precision, scale) follows Confluent's `numeric.mapping`:
 *   none                   Decimal(scale)
 *   precision_only         scale 0 and precision <= 18: INT8 (<3), INT16 (<5), INT32 (<10), INT64; else Decimal
 *   best_fit               as precision_only, plus FLOAT64 when 0 < scale and precision <= 18
 *   best_fit_eager_double  as precision_only, plus FLOAT64 whenever scale > 0
 * A NUMERIC without declared precision (Postgres) has no fixed scale: FLOAT64 under the
 * best_fit mappings, otherwise its exact text as a STRING (a Connect Decimal needs one scale).
 */
export type ColumnKind =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'decimal'
  | 'date'
  | 'time'
  | 'timestamp';

export interface NumericShape {
  /** 0 or less when unknown (unconstrained NUMERIC). */
  readonly precision: number;
  readonly scale: number;
}

/** The Connect kind a DECIMAL/NUMERIC column maps to under `mapping`. */
export function numericKind(shape: NumericShape, mapping: NumericMapping): ColumnKind {
  const { precision, scale } = shape;
  if (precision <= 0) return mapping === 'best_fit' || mapping === 'best_fit_eager_double' ? 'float64' : 'string';
  if (mapping === 'none') return 'decimal';
  if (scale === 0 && precision <= 18) {
    if (precision < 3) return 'int8';
    if (precision < 5) return 'int16';
    if (precision < 10) return 'int32';
    return 'int64';
  }
  if (scale > 0 && mapping === 'best_fit_eager_double') return 'float64';
  if (scale > 0 && mapping === 'best_fit' && precision <= 18) return 'float64';
  return 'decimal';
}

const PRIMITIVE: Readonly<Record<ColumnKind, SchemaType>> = {
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float32: 'float32',
  float64: 'float64',
  boolean: 'boolean',
  string: 'string',
  bytes: 'bytes',
  decimal: 'bytes',
  date: 'int32',
  time: 'int32',
  timestamp: 'int64',
};

/** Debezium's (and Confluent's AvroData's) Decimal schema parameter carrying the precision. */
export const DECIMAL_PRECISION_PARAMETER = 'connect.decimal.precision';

/**
 * The Connect schema of a column of this kind. A Decimal carries its `scale` and, when
 * the column declares one (`precision` > 0), its precision in `connect.decimal.precision`
 * (as Debezium does), so a sink can create NUMERIC(p, s) again.
 */
export function kindSchema(kind: ColumnKind, optional: boolean, scale = 0, precision = 0): ConnectSchema {
  const type = PRIMITIVE[kind];
  switch (kind) {
    case 'decimal':
      return {
        type,
        optional,
        name: DECIMAL_LOGICAL,
        version: 1,
        parameters: precision > 0 ? { scale: String(scale), [DECIMAL_PRECISION_PARAMETER]: String(precision) } : { scale: String(scale) },
      };
    case 'date':
      return { type, optional, name: DATE_LOGICAL, version: 1 };
    case 'time':
      return { type, optional, name: TIME_LOGICAL, version: 1 };
    case 'timestamp':
      return { type, optional, name: TIMESTAMP_LOGICAL, version: 1 };
    default:
      return { type, optional };
  }
}

/** A column mapping whose values are converted by kind. */
export function columnMapping(name: string, kind: ColumnKind, optional: boolean, scale = 0, precision = 0): ColumnMapping {
  const schema = kindSchema(kind, optional, scale, precision);
  const convert = converterFor(kind, scale);
  return { name, schema, convert: (raw) => (raw === null || raw === undefined ? null : convert(raw)) };
}

function converterFor(kind: ColumnKind, scale: number): (raw: unknown) => unknown {
  switch (kind) {
    case 'int8':
    case 'int16':
    case 'int32':
      return (raw) => (typeof raw === 'number' ? raw : Number(String(raw).split('.')[0]));
    case 'int64':
      return toInt64;
    case 'float32':
    case 'float64':
      return (raw) => (typeof raw === 'number' ? raw : Number(raw));
    case 'boolean':
      return toBoolean;
    case 'string':
      return toText;
    case 'bytes':
      return (raw) => (Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), 'utf8'));
    case 'decimal':
      return (raw) => normalizeDecimal(String(raw), scale);
    case 'date':
      return (raw) => parseDate(String(raw));
    case 'time':
      return (raw) => parseTime(String(raw));
    case 'timestamp':
      return (raw) => {
        if (raw instanceof Date) return raw;
        const ts = parseSqlTimestamp(String(raw));
        return ts === null ? null : new Date(ts.epochMs);
      };
  }
}

/**
 * Column mappings of result sets, cached by their metadata (compared as JSON): results
 * with the same columns map alike. Emptied when it holds more than 1000 shapes.
 */
export class ColumnMappingCache<F> {
  private readonly byShape = new Map<string, ColumnMapping[]>();

  constructor(private readonly mapColumn: (field: F) => ColumnMapping) {}

  mappings(fields: readonly F[]): ColumnMapping[] {
    const key = JSON.stringify(fields);
    let cached = this.byShape.get(key);
    if (!cached) {
      cached = fields.map((f) => this.mapColumn(f));
      if (this.byShape.size > 1000) this.byShape.clear();
      this.byShape.set(key, cached);
    }
    return cached;
  }
}

const SHORT_INTEGER = /^-?\d+$/;
/** `-?digits.digits` without superfluous leading zeros and not a negative zero. */
const CANONICAL_DECIMAL = /^(?:-(?=[\d.]*[1-9])|)(?:0|[1-9]\d*)\.\d+$/;

/** int64 contract: number when |v| <= 2^53 - 1, else bigint. */
export function toInt64(raw: unknown): number | bigint {
  if (typeof raw === 'number') return raw;
  // Up to 15 digits (and a sign) is always a safe integer: the common case, without splitting.
  if (typeof raw === 'string' && raw.length <= 15 && SHORT_INTEGER.test(raw)) return Number(raw);
  if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
  const text = String(raw).split('.')[0];
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function toBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return raw !== 0;
  if (Buffer.isBuffer(raw)) return raw.some((b) => b !== 0);
  const text = String(raw).toLowerCase();
  return text === 't' || text === 'true' || text === '1';
}

function toText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

/**
 * A decimal text with exactly `scale` fraction digits ("-12.340"); digits beyond the
 * scale are cut (the databases already return exactly the column's scale).
 */
export function normalizeDecimal(text: string, scale: number): string {
  // The databases print a column's values with exactly its scale: those pass as they are.
  if (text.length - text.indexOf('.') - 1 === scale && scale > 0 && CANONICAL_DECIMAL.test(text)) return text;
  let t = text.trim();
  let sign = '';
  if (t.startsWith('-') || t.startsWith('+')) {
    sign = t[0] === '-' ? '-' : '';
    t = t.slice(1);
  }
  const [intPartRaw, fracRaw = ''] = t.split('.');
  const intPart = intPartRaw.replace(/^0+(?=\d)/, '') || '0';
  const frac = scale > 0 ? fracRaw.padEnd(scale, '0').slice(0, scale) : '';
  const body = scale > 0 ? `${intPart}.${frac}` : intPart;
  return /^0(\.0*)?$/.test(body) ? body : sign + body;
}

/** 'YYYY-MM-DD' -> Date at UTC midnight; null for zero or invalid dates. */
export function parseDate(text: string): Date | null {
  const ts = parseSqlTimestamp(text.length === 10 ? `${text} 00:00:00` : text);
  if (ts === null) return null;
  const d = new Date(ts.epochMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** '[-]HH:MM:SS[.ffffff][+zz]' -> Date on 1970-01-01 UTC (milliseconds since midnight). */
export function parseTime(text: string): Date | null {
  const m = /^(-)?(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/.exec(text.trim());
  if (!m) return null;
  const ms = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000 + Math.floor(Number((m[5] ?? '0').padEnd(9, '0')) / 1e6);
  return new Date(m[1] ? -ms : ms);
}
