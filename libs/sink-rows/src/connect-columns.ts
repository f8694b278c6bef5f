import { bytesToBigint, unscaledToDecimal, type ConnectSchema } from '@millrace/connect-sdk';

/**
 * Which Connect schemas a table column can hold, and the facts a sink needs about them
 * whatever its database: decimal precision and scale, and Debezium's
 * VariableScaleDecimal.
 */

/**
 * Debezium's decimal of any scale (Postgres `numeric` without precision under
 * decimal.handling.mode=precise): a struct {scale int32, value bytes (two's complement
 * unscaled)}. Sinks write it as one decimal column (its text value), not as a struct.
 */
export const VARIABLE_SCALE_DECIMAL = 'io.debezium.data.VariableScaleDecimal';

export class UnsupportedSchemaError extends Error {
  override readonly name = 'UnsupportedSchemaError';
}

/** Connect primitive types a column can hold; array, map and struct fields are rejected (except VariableScaleDecimal). */
export function assertPrimitive(fieldName: string, schema: ConnectSchema): void {
  if (schema.name === VARIABLE_SCALE_DECIMAL) return;
  if (schema.type === 'array' || schema.type === 'map' || schema.type === 'struct') {
    throw new UnsupportedSchemaError(`field "${fieldName}" has type ${schema.type}; the sink writes only primitive and logical types`);
  }
}

/**
 * Decimal precision from the schema parameters (`connect.decimal.precision`, set by
 * Debezium and by Confluent's AvroConverter), or undefined when absent or not a usable
 * precision (1..maxPrecision, at least the scale).
 */
export function decimalPrecision(schema: ConnectSchema, maxPrecision: number): number | undefined {
  const raw = schema.parameters?.['connect.decimal.precision'];
  if (raw === undefined) return undefined;
  const p = Number(raw);
  return Number.isInteger(p) && p >= 1 && p <= maxPrecision && p >= decimalScale(schema) ? p : undefined;
}

/** Decimal scale from the schema parameters (Kafka Connect's "scale"), default 0. */
export function decimalScale(schema: ConnectSchema): number {
  const scale = Number(schema.parameters?.scale ?? 0);
  return Number.isInteger(scale) && scale >= 0 ? scale : 0;
}

/** The decimal text of a VariableScaleDecimal value ({scale, value: unscaled two's complement bytes}). */
export function variableScaleDecimalText(value: unknown): string {
  const v = value as { scale: number; value: Uint8Array };
  return unscaledToDecimal(bytesToBigint(Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength)), Number(v.scale));
}

/**
 * A SQL literal of a schema's default, usable in DDL, or undefined when the default cannot
 * be expressed (then the column gets none): numbers, booleans (spelled by
 * `booleanLiteral`) and strings of unnamed (non-logical) schemas.
 */
export function defaultLiteral(schema: ConnectSchema, booleanLiteral: (value: boolean) => string): string | undefined {
  const value = schema.defaultValue;
  if (value === undefined || value === null || schema.name) return undefined;
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? booleanLiteral(value) : undefined;
    case 'string':
      return typeof value === 'string' ? `'${value.replace(/'/g, "''")}'` : undefined;
    default:
      return undefined;
  }
}
