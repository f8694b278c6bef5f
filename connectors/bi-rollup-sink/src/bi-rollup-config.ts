import {
  configList,
  configNumber,
  configString,
  parseConfig,
  range,
  SinkTopics,
  type ConfigDef,
  type ConfigKey,
  type ParsedConfig,
} from '@millrace/connect-sdk';
import { errorMessage } from '@millrace/app-common';
import { CONNECTION_URL_CONFIG, jdbcConnectionConfigKeys, readJdbcConnectionConfig, type JdbcConnectionConfig } from '@millrace/jdbc';
import { parseRollup, RollupConfigError, type RollupDefinition } from './rollup-definition';
import { parseShiftCalendar, timeZoneProblem } from './time-buckets';

/**
 * Configuration of the `bi-rollup-sink`, Kafka-Connect style:
 *
 *   topics, connection.url / connection.user / connection.password / connection.attempts /
 *   connection.backoff.ms   as the jdbc-sink; connection.url may also be
 *                           jdbc:duckdb:<file> (an embedded DuckDB database file)
 *   rollups                 names of the rollups, e.g. sales_by_customer_day,good_parts_by_line_shift
 *   rollup.<name>.topics    topics feeding it (default: every consumed topic)
 *   rollup.<name>.table     its table (default: the name)
 *   rollup.<name>.group.by  columns and time buckets (rollup-definition.ts)
 *   rollup.<name>.measures  count, count(c), sum(c), avg(c), min(c), max(c), count_distinct(c)
 *   rollup.<name>.filter    a predicate (filter-expression.ts)
 *   rollup.<name>.time.zone / .shift.calendar   override the connector-wide ones
 *   time.zone               zone of hour/day/shift buckets (default UTC)
 *   shift.calendar          shift starts, e.g. early@06:00,late@14:00,night@22:00
 *   decimal.scale           digits after the point of sums/min/max in MySQL and DuckDB
 *                           (DECIMAL(38,s)); Postgres keeps exact NUMERIC
 *   batch.size              records folded into one transaction at most
 *
 * Contract: `rollupConfigErrors` (key -> message) is the plugin's cross-field validation
 * and `parseBiRollupConfig` throws BiRollupConfigError listing the same problems, so REST
 * validation and task start agree.
 */
export type RollupTarget = { readonly kind: 'jdbc'; readonly jdbc: JdbcConnectionConfig } | { readonly kind: 'duckdb'; readonly path: string };

export interface BiRollupConfig {
  readonly target: RollupTarget;
  readonly connectionAttempts: number;
  readonly connectionBackoffMs: number;
  readonly rollups: readonly RollupDefinition[];
  readonly batchSize: number;
  readonly decimalScale: number;
}

export class BiRollupConfigError extends Error {
  override readonly name = 'BiRollupConfigError';
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super(Object.entries(errors).map(([key, message]) => `${key}: ${message}`).join('; '));
  }
}

const DUCKDB_URL = /^jdbc:duckdb:(.+)$/i;
export const DEFAULT_SHIFT_CALENDAR = 'early@06:00,late@14:00,night@22:00';

const connectionKeys: ConfigKey[] = jdbcConnectionConfigKeys({ group: 'Connection', requireDatabase: true }).map((key) =>
  key.name !== CONNECTION_URL_CONFIG
    ? key
    : {
        ...key,
        documentation: `${key.documentation} Or jdbc:duckdb:<file> for an embedded DuckDB database.`,
        validator: (value, config) => (DUCKDB_URL.test(String(value ?? '').trim()) ? null : (key.validator?.(value, config) ?? null)),
      },
);

const KEYS: readonly ConfigKey[] = [
  { name: 'topics', type: 'LIST', default: '', importance: 'HIGH', group: 'Common', documentation: 'Topics to consume (comma-separated); each rollup reads all of them unless rollup.<name>.topics narrows it.' },
  ...connectionKeys,
  { name: 'rollups', type: 'LIST', importance: 'HIGH', group: 'Rollups', orderInGroup: 1, documentation: 'Names of the rollups; each is declared by rollup.<name>.group.by, .measures and optionally .topics, .table, .filter.' },
  { name: 'time.zone', type: 'STRING', default: 'UTC', importance: 'MEDIUM', group: 'Rollups', orderInGroup: 2, validator: (v) => timeZoneProblem(String(v)), documentation: 'Time zone of the hour(), day() and shift() buckets (IANA name).' },
  {
    name: 'shift.calendar',
    type: 'STRING',
    default: DEFAULT_SHIFT_CALENDAR,
    importance: 'MEDIUM',
    group: 'Rollups',
    orderInGroup: 3,
    validator: (v) => {
      try {
        parseShiftCalendar(String(v));
        return null;
      } catch (err) {
        return errorMessage(err);
      }
    },
    documentation: 'Shift starts name@HH:MM, comma-separated, local to time.zone; each shift lasts until the next start.',
  },
  { name: 'decimal.scale', type: 'INT', default: 6, importance: 'LOW', group: 'Rollups', orderInGroup: 4, validator: range(0, 18), documentation: 'Digits after the point of sum/min/max/avg state columns in MySQL and DuckDB (DECIMAL(38,s)).' },
  { name: 'batch.size', type: 'INT', default: 5000, importance: 'MEDIUM', group: 'Rollups', orderInGroup: 5, validator: range(1, 1_000_000), documentation: 'Records folded into deltas and applied in one transaction at most.' },
];

export const BI_ROLLUP_CONFIG_DEF: ConfigDef = { keys: KEYS, groups: ['Common', 'Connection', 'Rollups'] };

/** The rollups of a config, or the first problem of each bad one (key -> message). */
function readRollups(raw: Readonly<Record<string, string>>, parsed: ParsedConfig): { rollups: RollupDefinition[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rollups: RollupDefinition[] = [];
  const names = configList(parsed, 'rollups');
  const defaults = { timeZone: configString(parsed, 'time.zone') ?? 'UTC', shiftCalendar: configString(parsed, 'shift.calendar') ?? DEFAULT_SHIFT_CALENDAR };
  const consumed = SinkTopics.fromConfig(raw);
  for (const name of names) {
    try {
      const r = parseRollup(name, raw, defaults);
      const foreign = r.topics.filter((t) => !consumed.matches(t));
      if (foreign.length > 0) throw new RollupConfigError(`rollup.${name}.topics`, `${foreign.join(', ')} not consumed by this sink (${consumed.describe()}): add them to topics`);
      rollups.push(r);
    } catch (err) {
      if (!(err instanceof RollupConfigError)) throw err;
      errors[err.key] = err.message.slice(err.key.length + 2);
    }
  }
  const tables = new Map<string, string>();
  for (const r of rollups) {
    const other = tables.get(r.table.toLowerCase());
    if (other !== undefined) errors[`rollup.${r.name}.table`] = `table ${r.table} is already the table of rollup ${other}`;
    tables.set(r.table.toLowerCase(), r.name);
  }
  const known = new Set(names);
  for (const key of Object.keys(raw)) {
    const m = /^rollup\.([^.]+)\./.exec(key);
    if (m && !known.has(m[1])) errors[key] = `rollup ${m[1]} is not listed in rollups`;
  }
  if (names.length === 0 && errors.rollups === undefined) errors.rollups = 'name at least one rollup';
  return { rollups, errors };
}

/** Cross-field problems (the rollup.* keys and target), for the plugin's validate. */
export function rollupConfigErrors(raw: Readonly<Record<string, string>>, parsed: ParsedConfig): Record<string, string> {
  return readRollups(raw, parsed).errors;
}

export function parseBiRollupConfig(raw: Readonly<Record<string, string>>): BiRollupConfig {
  const { parsed, errors: keyErrors } = parseConfig(BI_ROLLUP_CONFIG_DEF, raw);
  const errors: Record<string, string> = {};
  for (const [key, messages] of Object.entries(keyErrors)) errors[key] = messages.join('; ');
  if (Object.keys(errors).length > 0) throw new BiRollupConfigError(errors);
  const { rollups, errors: rollupErrors } = readRollups(raw, parsed);
  if (Object.keys(rollupErrors).length > 0) throw new BiRollupConfigError(rollupErrors);
  const url = (configString(parsed, CONNECTION_URL_CONFIG) ?? '').trim();
  const duck = DUCKDB_URL.exec(url);
  const jdbc = duck ? null : readJdbcConnectionConfig(parsed);
  return {
    target: duck ? { kind: 'duckdb', path: duck[1] } : { kind: 'jdbc', jdbc: jdbc as JdbcConnectionConfig },
    connectionAttempts: configNumber(parsed, 'connection.attempts'),
    connectionBackoffMs: configNumber(parsed, 'connection.backoff.ms'),
    rollups,
    batchSize: configNumber(parsed, 'batch.size'),
    decimalScale: configNumber(parsed, 'decimal.scale'),
  };
}
