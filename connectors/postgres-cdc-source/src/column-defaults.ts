import type { ConnectSchema } from '@millrace/connect-sdk';
import type { ColumnCodec } from './pg-column-types';

/**
 * Column defaults in the Connect schemas, as Debezium's PostgreSQL connector carries
 * them: a column whose default is a constant gets that value as its schema's default, so
 * an Avro schema with a column added `... DEFAULT <constant>` stays compatible with the
 * older versions (the registry's BACKWARD check) and a sink with auto.evolve can add the
 * column with its default.
 *
 * `constantDefaultText` reads the catalog's default expression (`pg_get_expr(adbin,
 * adrelid)`) and returns the server text of the constant, or null when the default is
 * not a constant (a function call such as now() or nextval(...), an expression):
 *   'new'::text -> new      'it''s'::character varying -> it's      42 -> 42
 *   (-1) -> -1              '42'::bigint -> 42      1.5 -> 1.5      true -> true
 * Only plain primitive schemas (numbers, boolean, string without a logical name) take a
 * default; logical types (dates, decimals, json, ...) never do.
 */
export function constantDefaultText(expr: string | null | undefined): string | null {
  if (expr === null || expr === undefined) return null;
  let e = expr.trim();
  const paren = /^\((.*)\)$/.exec(e);
  if (paren) e = paren[1].trim();
  const quoted = /^'((?:[^']|'')*)'(?:::[a-z ]+(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?)?$/.exec(e);
  if (quoted) return quoted[1].replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(e)) return e;
  if (e === 'true' || e === 'false') return e;
  return null;
}

const DEFAULTABLE: ReadonlySet<ConnectSchema['type']> = new Set(['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string']);

/** The codec with its schema's default set from the column's default expression, when it is a constant. */
export function withDefault(codec: ColumnCodec, defaultExpr: string | null | undefined): ColumnCodec {
  const text = constantDefaultText(defaultExpr);
  if (text === null || codec.schema.name !== undefined || !DEFAULTABLE.has(codec.schema.type)) return codec;
  let value: unknown;
  try {
    value = codec.decode(text);
  } catch {
    return codec;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return codec;
  return { schema: { ...codec.schema, defaultValue: value }, decode: codec.decode };
}
