import type { FieldsMetadata, SinkColumn } from './fields-metadata';

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

/** What auto.evolve needs to know of an existing destination column. */
export interface ExistingColumnFacts extends ColumnTypeFacts {
  readonly name: string;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  /** A primary-key (or generated) column: never made nullable. */
  readonly primary: boolean;
}

/** An in-place change of an existing column `C` (the sink's own column description). */
export type ColumnChange<C> =
  | { readonly kind: 'widen'; readonly existing: C; readonly facts: ExistingColumnFacts; readonly desired: ColumnTypeFacts }
  | { readonly kind: 'nullable'; readonly existing: C; readonly facts: ExistingColumnFacts };

export interface ColumnChangeRules<C> {
  readonly facts: (column: C) => ExistingColumnFacts;
  /** The type a record column maps to (`isKey`: a key column). */
  readonly desired: (column: SinkColumn, isKey: boolean) => ColumnTypeFacts;
  /** How the database compares column names (MySQL: case-insensitively). */
  readonly normalize: (name: string) => string;
  /** Whether primary-key columns may be widened (DuckDB cannot alter an indexed column). */
  readonly widenKeys: boolean;
}

/**
 * The in-place changes auto.evolve makes to a table's existing columns (`known`, by
 * normalized name) for records with `fields`: a column whose field now needs a wider type
 * of the same family is widened (`widens`); a NOT NULL column without a default that the
 * records no longer carry (dropped at the source) becomes nullable, so new rows can still
 * be inserted. Columns are never dropped or narrowed.
 */
export function planColumnChanges<C>(known: ReadonlyMap<string, C>, fields: FieldsMetadata, rules: ColumnChangeRules<C>): ColumnChange<C>[] {
  const out: ColumnChange<C>[] = [];
  const keyNames = new Set(fields.keyColumns.map((c) => c.name));
  for (const column of fields.allColumns) {
    const existing = known.get(rules.normalize(column.name));
    if (existing === undefined) continue;
    const facts = rules.facts(existing);
    if (facts.primary && !rules.widenKeys) continue;
    const desired = rules.desired(column, keyNames.has(column.name));
    if (widens(facts, desired)) out.push({ kind: 'widen', existing, facts, desired });
  }
  const carried = new Set(fields.allColumns.map((c) => rules.normalize(c.name)));
  for (const existing of known.values()) {
    const facts = rules.facts(existing);
    if (carried.has(rules.normalize(facts.name)) || facts.nullable || facts.primary || facts.hasDefault) continue;
    out.push({ kind: 'nullable', existing, facts });
  }
  return out;
}

/** A log line for a change. */
export function describeColumnChange(change: ColumnChange<unknown>, typeSql: (t: ColumnTypeFacts) => string = columnTypeSql): string {
  return change.kind === 'widen'
    ? `widening column ${change.facts.name} from ${typeSql(change.facts)} to ${typeSql(change.desired)}`
    : `column ${change.facts.name} is no longer in the records: dropping its NOT NULL`;
}
