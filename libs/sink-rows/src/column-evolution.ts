/**
 * Which existing column types auto.evolve may widen in place, so a source table whose
 * column was widened (int -> bigint, real -> double, numeric(8,2) -> numeric(12,2),
 * varchar(10) -> varchar(50) or text; e.g. a Postgres CDC relation change) keeps flowing
 * into the same warehouse column instead of failing on the first value that no longer
 * fits. Never narrows, never changes the family (an integer never becomes a float or a
 * string): anything else is left as it is, as Kafka Connect's JDBC sink leaves every
 * existing column.
 *
 * `existing` is the column as the database describes it (TypeORM's TableColumn: type in
 * lower case, length as text, precision/scale as numbers), `desired` what the dialect
 * maps the record's field to.
 */
export interface ColumnTypeFacts {
  readonly type: string;
  readonly length?: string;
  readonly precision?: number | null;
  readonly scale?: number | null;
}

const INTEGER_RANK: Readonly<Record<string, number>> = { tinyint: 1, smallint: 2, int2: 2, mediumint: 3, integer: 4, int: 4, int4: 4, bigint: 5, int8: 5 };
const FLOAT_RANK: Readonly<Record<string, number>> = { real: 1, float: 1, float4: 1, 'double precision': 2, double: 2, float8: 2 };
const DECIMAL = new Set(['numeric', 'decimal']);
const VARCHAR = new Set(['character varying', 'varchar']);
const UNBOUNDED_TEXT = new Set(['text', 'mediumtext', 'longtext']);

export function widens(existing: ColumnTypeFacts, desired: ColumnTypeFacts): boolean {
  const from = existing.type.toLowerCase();
  const to = desired.type.toLowerCase();
  if (INTEGER_RANK[from] !== undefined && INTEGER_RANK[to] !== undefined) return INTEGER_RANK[to] > INTEGER_RANK[from];
  if (FLOAT_RANK[from] !== undefined && FLOAT_RANK[to] !== undefined) return FLOAT_RANK[to] > FLOAT_RANK[from];
  if (DECIMAL.has(from) && DECIMAL.has(to)) {
    const p = existing.precision ?? null;
    if (p === null) return false; // already unconstrained
    const s = existing.scale ?? 0;
    if (desired.precision === undefined || desired.precision === null) return true; // to unconstrained NUMERIC
    const s2 = desired.scale ?? 0;
    return s2 >= s && desired.precision - s2 >= p - s && (desired.precision !== p || s2 !== s);
  }
  if (VARCHAR.has(from)) {
    if (UNBOUNDED_TEXT.has(to)) return true;
    if (VARCHAR.has(to)) return Number(desired.length ?? 0) > Number(existing.length ?? 0);
  }
  return false;
}

/** SQL text of a column type: `bigint`, `numeric(12,2)`, `varchar(50)`, `datetime(3)`. */
export function columnTypeSql(t: ColumnTypeFacts): string {
  if (t.length !== undefined && t.length !== '') return `${t.type}(${t.length})`;
  if (t.precision !== undefined && t.precision !== null) return t.scale !== undefined && t.scale !== null && DECIMAL.has(t.type.toLowerCase()) ? `${t.type}(${t.precision},${t.scale})` : `${t.type}(${t.precision})`;
  return t.type;
}
