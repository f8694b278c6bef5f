import { parseFilter, FilterSyntaxError, type Filter } from './filter-expression';
import { BucketConfigError, parseShiftCalendar, timeZoneProblem, TimeBuckets } from './time-buckets';

/**
 * One rollup as declared in the connector config (`rollup.<name>.*`), parsed:
 *
 *   group.by  comma-separated items: `col`, `hour(col)`, `day(col)`, `shift(col)`, each
 *             optionally `AS alias`. Column names: the column itself, or `<col>_hour`,
 *             `<col>_day`, `<col>_shift`. Empty = one group (a grand total).
 *   measures  comma-separated: `count` (rows), `count(col)` (non-null values), `sum(col)`,
 *             `avg(col)`, `min(col)`, `max(col)`, `count_distinct(col)`, each optionally
 *             `AS alias`. Column names: `count`, `<fn>_<col>`.
 *   filter    a predicate on the row (filter-expression.ts); rows failing it count nowhere.
 *
 * Contract: `parseRollup` throws RollupConfigError whose message names the config key and
 * says what to write instead.
 */
export class RollupConfigError extends Error {
  override readonly name = 'RollupConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

export type BucketKind = 'hour' | 'day' | 'shift';
export type MeasureKind = 'count' | 'count_col' | 'sum' | 'avg' | 'min' | 'max' | 'count_distinct';

export interface GroupItem {
  readonly column: string;
  readonly bucket: BucketKind | null;
  /** The rollup table's column. */
  readonly alias: string;
}

export interface MeasureDef {
  readonly kind: MeasureKind;
  /** Null for `count`. */
  readonly column: string | null;
  readonly alias: string;
}

export interface RollupDefinition {
  readonly name: string;
  /** Topics whose records feed it; empty = every topic the sink consumes. */
  readonly topics: readonly string[];
  readonly table: string;
  readonly groups: readonly GroupItem[];
  readonly measures: readonly MeasureDef[];
  readonly filter: Filter | null;
  readonly buckets: TimeBuckets;
}

export interface RollupDefaults {
  readonly timeZone: string;
  readonly shiftCalendar: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,59}$/;
const TABLE = /^(?:[A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,52}$/;
const ITEM = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*(\*|[A-Za-z_][A-Za-z0-9_]*)?\s*\))?(?:\s+AS\s+([A-Za-z_][A-Za-z0-9_]*))?$/i;
const RESERVED = new Set(['_group', '_rows']);

const splitList = (text: string | undefined): string[] => (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

export function rollupKey(name: string, suffix: string): string {
  return `rollup.${name}.${suffix}`;
}

export function parseRollup(name: string, raw: Readonly<Record<string, string | undefined>>, defaults: RollupDefaults): RollupDefinition {
  if (!NAME.test(name)) throw new RollupConfigError('rollups', `"${name}" is not a usable rollup name (letters, digits and _, starting with a letter or _, at most 60)`);
  const key = (suffix: string) => rollupKey(name, suffix);
  const table = (raw[key('table')] ?? '').trim() || name;
  if (!TABLE.test(table)) throw new RollupConfigError(key('table'), `"${table}" is not a usable table name ([schema.]table of letters, digits and _)`);
  const groups = splitList(raw[key('group.by')]).map((item) => parseGroupItem(key('group.by'), item));
  const measureText = raw[key('measures')];
  if (measureText === undefined || measureText.trim() === '') throw new RollupConfigError(key('measures'), 'missing: list the measures, e.g. count,sum(amount),max(amount)');
  const measures = splitList(measureText).map((item) => parseMeasure(key('measures'), item));
  const names = new Set<string>();
  for (const alias of [...groups.map((g) => g.alias), ...measures.map((m) => m.alias)]) {
    const lower = alias.toLowerCase();
    if (names.has(lower) || RESERVED.has(lower) || /__(n|sum)$/.test(lower)) {
      throw new RollupConfigError(groups.some((g) => g.alias === alias) ? key('group.by') : key('measures'), `column "${alias}" is used twice or reserved (_group, _rows, *__n, *__sum): give one an alias with AS`);
    }
    names.add(lower);
  }
  let filter: Filter | null = null;
  const filterText = (raw[key('filter')] ?? '').trim();
  if (filterText !== '') {
    try {
      filter = parseFilter(filterText);
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw new RollupConfigError(key('filter'), err.message);
      throw err;
    }
  }
  const zone = (raw[key('time.zone')] ?? '').trim() || defaults.timeZone;
  const zoneProblem = timeZoneProblem(zone);
  if (zoneProblem) throw new RollupConfigError(raw[key('time.zone')] ? key('time.zone') : 'time.zone', zoneProblem);
  const calendarKey = raw[key('shift.calendar')] ? key('shift.calendar') : 'shift.calendar';
  const calendarText = (raw[key('shift.calendar')] ?? '').trim() || defaults.shiftCalendar;
  let buckets: TimeBuckets;
  try {
    buckets = new TimeBuckets(zone, groups.some((g) => g.bucket === 'shift') ? parseShiftCalendar(calendarText) : null);
  } catch (err) {
    if (err instanceof BucketConfigError) throw new RollupConfigError(calendarKey, err.message);
    throw err;
  }
  return { name, topics: splitList(raw[key('topics')]), table, groups, measures, filter, buckets };
}

function parseGroupItem(key: string, item: string): GroupItem {
  const m = ITEM.exec(item);
  if (!m) throw new RollupConfigError(key, `"${item}" is not a group-by item: write col, hour(col), day(col) or shift(col), optionally followed by AS alias`);
  const [, head, arg, alias] = m;
  const isCall = item.includes('(');
  if (!isCall) return { column: head, bucket: null, alias: checkedAlias(key, alias ?? head) };
  const fn = head.toLowerCase();
  if (fn !== 'hour' && fn !== 'day' && fn !== 'shift') throw new RollupConfigError(key, `unknown time bucket ${head}() in "${item}": use hour(col), day(col) or shift(col)`);
  if (arg === undefined || arg === '*') throw new RollupConfigError(key, `${fn}() needs a column in "${item}"`);
  return { column: arg, bucket: fn, alias: checkedAlias(key, alias ?? `${arg}_${fn}`) };
}

function parseMeasure(key: string, item: string): MeasureDef {
  const m = ITEM.exec(item);
  if (!m) throw new RollupConfigError(key, `"${item}" is not a measure: write count, count(col), sum(col), avg(col), min(col), max(col) or count_distinct(col), optionally followed by AS alias`);
  const [, head, arg, alias] = m;
  const fn = head.toLowerCase();
  const isCall = item.includes('(');
  if (fn === 'count' && (!isCall || arg === '*')) return { kind: 'count', column: null, alias: checkedAlias(key, alias ?? 'count') };
  if (!isCall) throw new RollupConfigError(key, `"${item}" is not a measure: only count goes without a column`);
  if (arg === undefined || arg === '*') throw new RollupConfigError(key, `${fn}() needs a column in "${item}"`);
  const kinds: Record<string, MeasureKind> = { count: 'count_col', sum: 'sum', avg: 'avg', min: 'min', max: 'max', count_distinct: 'count_distinct' };
  const kind = kinds[fn];
  if (!kind) throw new RollupConfigError(key, `unknown measure ${head}() in "${item}": use count, sum, avg, min, max or count_distinct`);
  return { kind, column: arg, alias: checkedAlias(key, alias ?? `${fn}_${arg}`) };
}

function checkedAlias(key: string, alias: string): string {
  if (!NAME.test(alias)) throw new RollupConfigError(key, `column name "${alias}" is too long or not a plain name: give a shorter alias with AS`);
  return alias;
}

/** Measures kept in the per-group state table (value -> multiplicity). */
export function isStateMeasure(kind: MeasureKind): boolean {
  return kind === 'min' || kind === 'max' || kind === 'count_distinct';
}
