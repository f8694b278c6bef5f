import { bigintToBytes, DECIMAL_LOGICAL, normalizeInt64, type ConnectSchema } from '@millrace/connect-sdk';
import { DEFAULT_TEMPORAL_MODES, temporalCodec, type TemporalModes } from './pg-temporal-types';
import type { DecimalHandlingMode } from './postgres-cdc-config';

/**
 * PostgreSQL column types -> Connect schemas and values, as Debezium's PostgreSQL
 * connector emits them (time.precision.mode=adaptive). Values come in as the server's
 * TEXT output — the same text from snapshot queries and from pgoutput — with the session
 * settings of SESSION_OPTIONS (UTC, ISO dates, hex bytea), so one decoder serves both.
 *
 *   int2 -> int16, int4 -> int32, int8 -> int64, float4 -> float32, float8 -> float64, bool
 *   numeric(p,s) -> Decimal (scale s, connect.decimal.precision p) | float64 | string
 *   numeric      -> io.debezium.data.VariableScaleDecimal {scale int32, value bytes} | float64 | string
 *   date, time, timestamp, timestamptz, timetz, interval -> per time.precision.mode and
 *   interval.handling.mode (pg-temporal-types.ts)
 *   uuid -> string io.debezium.data.Uuid; json/jsonb -> string io.debezium.data.Json
 *   bytea -> bytes; text/varchar/bpchar/name and every other type (enums, arrays, ...)
 *   -> string (their text form: arrays as `{a,b}`, enums as their label).
 */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c bytea_output=hex -c extra_float_digits=3';

export interface PgColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  readonly optional: boolean;
}

export type TextDecoder = (text: string) => unknown;

export interface ColumnCodec {
  readonly schema: ConnectSchema;
  readonly decode: TextDecoder;
}

const OID = {
  bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, oid: 26, json: 114, float4: 700, float8: 701,
  numeric: 1700, uuid: 2950, jsonb: 3802,
} as const;

const s = (type: ConnectSchema['type'], optional: boolean, name?: string, parameters?: Record<string, string>): ConnectSchema => ({
  type, optional, ...(name ? { name, version: 1 } : {}), ...(parameters ? { parameters } : {}),
});

const num = (t: string): number => (t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : t === '-Infinity' ? -Infinity : Number(t));

export function columnCodec(col: PgColumn, decimalMode: DecimalHandlingMode, temporal: TemporalModes = DEFAULT_TEMPORAL_MODES): ColumnCodec {
  const opt = col.optional;
  const time = temporalCodec(col, temporal);
  if (time) return time;
  switch (col.typeOid) {
    case OID.bool:
      return { schema: s('boolean', opt), decode: (t) => t === 't' || t === 'true' };
    case OID.int2:
      return { schema: s('int16', opt), decode: Number };
    case OID.int4:
      return { schema: s('int32', opt), decode: Number };
    case OID.oid:
    case OID.int8:
      return { schema: s('int64', opt), decode: (t) => normalizeInt64(BigInt(t)) };
    case OID.float4:
      return { schema: s('float32', opt), decode: num };
    case OID.float8:
      return { schema: s('float64', opt), decode: num };
    case OID.numeric:
      return numericCodec(col, decimalMode);
    case OID.bytea:
      return { schema: s('bytes', opt), decode: (t) => Buffer.from(t.startsWith('\\x') ? t.slice(2) : t, 'hex') };
    case OID.uuid:
      return { schema: s('string', opt, 'io.debezium.data.Uuid'), decode: (t) => t };
    case OID.json:
    case OID.jsonb:
      return { schema: s('string', opt, 'io.debezium.data.Json'), decode: (t) => t };
    default:
      return { schema: s('string', opt), decode: (t) => t };
  }
}

function numericCodec(col: PgColumn, mode: DecimalHandlingMode): ColumnCodec {
  const opt = col.optional;
  if (mode === 'double') return { schema: s('float64', opt), decode: num };
  if (mode === 'string') return { schema: s('string', opt), decode: (t) => t };
  if (col.typeMod >= 4) {
    const precision = ((col.typeMod - 4) >> 16) & 0xffff;
    const scale = (col.typeMod - 4) & 0xffff;
    return { schema: { type: 'bytes', optional: opt, name: DECIMAL_LOGICAL, version: 1, parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) } }, decode: (t) => t };
  }
  const schema: ConnectSchema = {
    type: 'struct', optional: opt, name: 'io.debezium.data.VariableScaleDecimal', version: 1, doc: 'Variable scaled decimal',
    fields: [
      { name: 'scale', index: 0, schema: { type: 'int32', optional: false } },
      { name: 'value', index: 1, schema: { type: 'bytes', optional: false } },
    ],
  };
  return {
    schema,
    decode: (t) => {
      const [int, frac = ''] = t.split('.');
      return { scale: frac.length, value: bigintToBytes(BigInt(int + frac)) };
    },
  };
}
