import {
  configBoolean,
  configList,
  configNonEmptyString,
  configNumber,
  configOptionalNumber,
  configString,
  parseConfig,
  type ConfigDef,
  type ConfigKey,
  type ConfigValueType,
} from '@millrace/connect-sdk';
import { DEFAULT_TIME_PRECISION_MODE, jdbcConnectionConfigKeys, readJdbcConnectionConfig, TIME_PRECISION_MODES, type JdbcConnectionConfig, type TimePrecisionMode } from '@millrace/jdbc';

/**
 * The JDBC source's configuration: Confluent's JDBC source keys (same names, types,
 * defaults and meanings) plus the task-only key `tables`.
 *
 * Contract: `parseJdbcSourceConfig` takes the raw string map the runtime stores (connector
 * config, or a task config produced by the connector), parses it with connect-sdk's
 * parser (Kafka's ConfigDef semantics, as the runtime's validation) and returns typed
 * values with defaults applied, or throws JdbcSourceConfigError with the message of the
 * first bad key. The `connection.*` keys are @millrace/jdbc's.
 * `crossFieldErrors` returns the checks that span keys (key -> message), shared by the
 * plugin's `validate` and the parser.
 */
export type JdbcSourceMode = 'bulk' | 'incrementing' | 'timestamp' | 'timestamp+incrementing';
export type NumericMapping = 'none' | 'precision_only' | 'best_fit' | 'best_fit_eager_double';

export const MODES: readonly JdbcSourceMode[] = ['bulk', 'incrementing', 'timestamp', 'timestamp+incrementing'];
export const NUMERIC_MAPPINGS: readonly NumericMapping[] = ['none', 'precision_only', 'best_fit', 'best_fit_eager_double'];
export const TABLE_TYPES: readonly string[] = ['TABLE', 'VIEW'];

/** A table as the connector hands it to a task (the task config key `tables` is a JSON array of these). */
export interface TableRef {
  /** MySQL/MariaDB database or Postgres schema the table lives in. */
  readonly schema: string;
  readonly name: string;
}

export interface JdbcSourceConfig extends JdbcConnectionConfig {
  readonly mode: JdbcSourceMode;
  /** Empty = detect the auto-increment column (incrementing modes). */
  readonly incrementingColumn: string;
  /** Several = COALESCE(c1, c2, ...). */
  readonly timestampColumns: readonly string[];
  /** Epoch ms the timestamp offset starts from when none is stored; -1 = now; null = from the beginning. */
  readonly timestampInitial: number | null;
  readonly timestampDelayMs: number;
  readonly validateNonNull: boolean;
  readonly query: string;
  readonly querySuffix: string;
  readonly pollIntervalMs: number;
  readonly batchMaxRows: number;
  readonly tablePollIntervalMs: number;
  readonly topicPrefix: string;
  readonly numericMapping: NumericMapping;
  /** Debezium's time.precision.mode (@millrace/jdbc temporal-types.ts). */
  readonly timePrecisionMode: TimePrecisionMode;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly catalogPattern: string | null;
  readonly schemaPattern: string | null;
  readonly tableTypes: readonly string[];
  /** Task configs only: the tables this task polls (null in connector configs). */
  readonly tables: readonly TableRef[] | null;
}

export class JdbcSourceConfigError extends Error {
  override readonly name = 'JdbcSourceConfigError';
}

const G_DB = 'Database';
const G_MODE = 'Mode';
const G_CONN = 'Connector';

function nonNegative(v: ConfigValueType): string | null {
  return typeof v === 'number' && v < 0 ? 'must be >= 0' : null;
}
function positive(v: ConfigValueType): string | null {
  return typeof v === 'number' && v < 1 ? 'must be >= 1' : null;
}

const KEYS: readonly ConfigKey[] = [
  ...jdbcConnectionConfigKeys({ group: G_DB }),
  { name: 'catalog.pattern', type: 'STRING', default: null, importance: 'MEDIUM', group: G_DB, orderInGroup: 6, documentation: 'SQL LIKE pattern on the catalog (MySQL/MariaDB: the database) tables are listed from; null = the URL\'s database (MySQL) / any (Postgres).' },
  { name: 'schema.pattern', type: 'STRING', default: null, importance: 'MEDIUM', group: G_DB, orderInGroup: 7, documentation: 'SQL LIKE pattern on the schema tables are listed from (Postgres); null = every non-system schema.' },
  { name: 'table.whitelist', type: 'LIST', default: '', importance: 'MEDIUM', group: G_DB, orderInGroup: 8, documentation: 'Tables to copy (name or schema.name). If set, table.blacklist may not be set.' },
  { name: 'table.include.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_DB, orderInGroup: 9, documentation: 'Synonym of table.whitelist.' },
  { name: 'table.blacklist', type: 'LIST', default: '', importance: 'MEDIUM', group: G_DB, orderInGroup: 10, documentation: 'Tables to exclude (name or schema.name). If set, table.whitelist may not be set.' },
  { name: 'table.exclude.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_DB, orderInGroup: 11, documentation: 'Synonym of table.blacklist.' },
  { name: 'table.types', type: 'LIST', default: 'TABLE', importance: 'LOW', group: G_DB, orderInGroup: 12, documentation: 'Table types to copy: TABLE, VIEW.',
    validator: (v) => (Array.isArray(v) ? v.filter((t) => !TABLE_TYPES.includes(t.toUpperCase())).map((t) => `unsupported table type "${t}"`)[0] ?? null : null) },
  { name: 'numeric.mapping', type: 'STRING', default: null, importance: 'LOW', group: G_DB, orderInGroup: 13, allowedValues: NUMERIC_MAPPINGS,
    validator: (v) => (v === null || v === '' || NUMERIC_MAPPINGS.includes(v as NumericMapping) ? null : `must be one of ${NUMERIC_MAPPINGS.join(', ')}`),
    documentation: 'How DECIMAL/NUMERIC columns map: none (Decimal), precision_only (integral types by precision when scale is 0), best_fit (also FLOAT64 when scale > 0 and precision <= 18), best_fit_eager_double (FLOAT64 whenever scale > 0). Default none.' },
  { name: 'time.precision.mode', type: 'STRING', default: DEFAULT_TIME_PRECISION_MODE, importance: 'MEDIUM', group: G_DB, orderInGroup: 15, allowedValues: TIME_PRECISION_MODES,
    validator: (v) => (TIME_PRECISION_MODES.includes(v as TimePrecisionMode) ? null : `must be one of ${TIME_PRECISION_MODES.join(', ')}`),
    documentation: "How date and time columns map, with Debezium's names: adaptive (default, as Debezium) keeps each column's precision — io.debezium.time.Date, Time (ms) or MicroTime (µs) by TIME(p), Timestamp (ms) or MicroTimestamp (µs) by TIMESTAMP(p)/DATETIME(p), ZonedTimestamp/ZonedTime (ISO text in UTC) for columns with a time zone; adaptive_time_microseconds: as adaptive with every TIME as MicroTime; connect: Kafka Connect's Date, Time and Timestamp (milliseconds, Confluent's JDBC source)." },
  { name: 'numeric.precision.mapping', type: 'BOOLEAN', default: false, importance: 'LOW', group: G_DB, orderInGroup: 14, documentation: 'Deprecated: true means numeric.mapping=precision_only when numeric.mapping is unset.' },
  { name: 'mode', type: 'STRING', importance: 'HIGH', group: G_MODE, orderInGroup: 1, allowedValues: MODES,
    validator: (v) => (MODES.includes(v as JdbcSourceMode) ? null : `must be one of ${MODES.join(', ')}`),
    documentation: 'bulk (whole table every poll), incrementing (strictly increasing column), timestamp (modification timestamp), timestamp+incrementing (both; exact).' },
  { name: 'incrementing.column.name', type: 'STRING', default: '', importance: 'MEDIUM', group: G_MODE, orderInGroup: 2, documentation: 'Strictly increasing column for the incrementing modes; empty = the auto-increment column.' },
  { name: 'timestamp.column.name', type: 'LIST', default: '', importance: 'MEDIUM', group: G_MODE, orderInGroup: 3, documentation: 'Timestamp column(s) for the timestamp modes; several are combined with COALESCE.' },
  { name: 'timestamp.initial', type: 'LONG', default: null, importance: 'LOW', group: G_MODE, orderInGroup: 4, documentation: 'Epoch ms to start timestamp modes from when no offset is stored; -1 = now; unset = from the beginning.' },
  { name: 'timestamp.delay.interval.ms', type: 'LONG', default: 0, importance: 'HIGH', group: G_MODE, orderInGroup: 5, validator: nonNegative, documentation: 'Only rows whose timestamp is older than now minus this delay are read, so transactions with earlier timestamps can commit first.' },
  { name: 'validate.non.null', type: 'BOOLEAN', default: true, importance: 'LOW', group: G_MODE, orderInGroup: 6, documentation: 'Fail the task when the incrementing or a timestamp column is nullable.' },
  { name: 'query', type: 'STRING', default: '', importance: 'MEDIUM', group: G_MODE, orderInGroup: 7, width: 'LONG', documentation: 'Custom query instead of tables; its rows go to topic.prefix. Incremental modes filter it as a subquery, so the offset columns must be output column names.' },
  { name: 'query.suffix', type: 'STRING', default: '', importance: 'LOW', group: G_MODE, orderInGroup: 8, documentation: 'Text appended to every generated query.' },
  { name: 'poll.interval.ms', type: 'INT', default: 5000, importance: 'HIGH', group: G_CONN, orderInGroup: 1, validator: nonNegative, documentation: 'How often each table is polled for new data once caught up.' },
  { name: 'batch.max.rows', type: 'INT', default: 100, importance: 'LOW', group: G_CONN, orderInGroup: 2, validator: positive, documentation: 'Maximum rows per query.' },
  { name: 'table.poll.interval.ms', type: 'LONG', default: 60000, importance: 'LOW', group: G_CONN, orderInGroup: 3, validator: positive, documentation: 'How often the connector lists tables; a changed set reconfigures the tasks.' },
  { name: 'topic.prefix', type: 'STRING', importance: 'HIGH', group: G_CONN, orderInGroup: 4, documentation: 'Prefix of the topic names: <prefix><table>, or the whole topic name in query mode.' },
];

export const JDBC_SOURCE_CONFIG_DEF: ConfigDef = { keys: KEYS, groups: [G_DB, G_MODE, G_CONN] };

/** Cross-key checks (key -> message) on raw values. */
export function crossFieldErrors(raw: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  const has = (k: string): boolean => (raw[k] ?? '').trim() !== '';
  const include = has('table.whitelist') || has('table.include.list');
  const exclude = has('table.blacklist') || has('table.exclude.list');
  if (include && exclude) errors['table.blacklist'] = 'table.whitelist/table.include.list and table.blacklist/table.exclude.list may not both be set';
  if (has('query') && (include || exclude)) errors['query'] = 'query may not be combined with table.whitelist/table.blacklist';
  const mode = (raw['mode'] ?? '').trim();
  if ((mode === 'timestamp' || mode === 'timestamp+incrementing') && !has('timestamp.column.name')) {
    errors['timestamp.column.name'] = `mode ${mode} needs timestamp.column.name`;
  }
  if (mode === 'incrementing' || mode === 'timestamp+incrementing') {
    if (has('query') && !has('incrementing.column.name')) errors['incrementing.column.name'] = `mode ${mode} with a query needs incrementing.column.name`;
  }
  return errors;
}

/** Parses and checks a raw connector or task config. */
export function parseJdbcSourceConfig(raw: Readonly<Record<string, string>>): JdbcSourceConfig {
  const { parsed: v, problems } = parseConfig(JDBC_SOURCE_CONFIG_DEF, raw);
  if (problems.length > 0) throw new JdbcSourceConfigError(problems[0].message);
  const cross = Object.entries(crossFieldErrors(raw));
  if (cross.length > 0) throw new JdbcSourceConfigError(`Invalid configuration ${cross[0][0]}: ${cross[0][1]}`);

  const str = (k: string): string => configString(v, k) ?? '';
  const numericMapping: NumericMapping =
    configNonEmptyString(v, 'numeric.mapping') !== null ? (str('numeric.mapping') as NumericMapping) : configBoolean(v, 'numeric.precision.mapping') ? 'precision_only' : 'none';
  return {
    ...readJdbcConnectionConfig(v),
    mode: str('mode') as JdbcSourceMode,
    incrementingColumn: str('incrementing.column.name'),
    timestampColumns: configList(v, 'timestamp.column.name'),
    timestampInitial: configOptionalNumber(v, 'timestamp.initial'),
    timestampDelayMs: configNumber(v, 'timestamp.delay.interval.ms'),
    validateNonNull: configBoolean(v, 'validate.non.null'),
    query: str('query'),
    querySuffix: str('query.suffix'),
    pollIntervalMs: configNumber(v, 'poll.interval.ms'),
    batchMaxRows: configNumber(v, 'batch.max.rows'),
    tablePollIntervalMs: configNumber(v, 'table.poll.interval.ms'),
    topicPrefix: str('topic.prefix'),
    numericMapping,
    timePrecisionMode: str('time.precision.mode') as TimePrecisionMode,
    include: [...configList(v, 'table.whitelist'), ...configList(v, 'table.include.list')],
    exclude: [...configList(v, 'table.blacklist'), ...configList(v, 'table.exclude.list')],
    catalogPattern: configNonEmptyString(v, 'catalog.pattern'),
    schemaPattern: configNonEmptyString(v, 'schema.pattern'),
    tableTypes: configList(v, 'table.types').map((t) => t.toUpperCase()),
    tables: parseTables(raw[TASK_TABLES_KEY]),
  };
}

/** Task config key holding the task's tables as a JSON array of TableRef. */
export const TASK_TABLES_KEY = 'tables';

function parseTables(raw: string | undefined): TableRef[] | null {
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new JdbcSourceConfigError(`task config "${TASK_TABLES_KEY}" is not JSON`);
  }
  if (!Array.isArray(parsed) || !parsed.every((t: unknown) => isTableRef(t))) {
    throw new JdbcSourceConfigError(`task config "${TASK_TABLES_KEY}" must be a JSON array of {schema, name}`);
  }
  return parsed;
}

function isTableRef(t: unknown): t is TableRef {
  if (typeof t !== 'object' || t === null) return false;
  const o = t as Record<string, unknown>;
  return typeof o['schema'] === 'string' && typeof o['name'] === 'string';
}
