import { kafkaSignalSettings, SIGNAL_CHANNEL_KEYS, type KafkaSignalSettings } from '@millrace/cdc-snapshot';
import { configBoolean, configList, configNumber, configString, parseConfig, type ConfigDef, type ConfigKey, type ConfigValueType } from '@millrace/connect-sdk';

/**
 * The Postgres CDC source's configuration: Debezium's PostgreSQL connector keys (same
 * names, defaults and meanings) for the part built so far.
 *
 * Contract: `parsePostgresCdcConfig` takes the raw string map the runtime stores and
 * returns typed values with defaults applied, or throws PostgresCdcConfigError with the
 * message of the first bad key; `crossFieldErrors` holds the checks spanning keys (key ->
 * message), shared with the plugin's `validate`.
 */
export type SnapshotMode = 'initial' | 'never' | 'initial_only' | 'no_data' | 'when_needed';
export type PublicationAutocreateMode = 'all_tables' | 'filtered' | 'disabled';
export type DecimalHandlingMode = 'precise' | 'double' | 'string';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export type IntervalHandlingMode = 'numeric' | 'string';

export const SNAPSHOT_MODES: readonly SnapshotMode[] = ['initial', 'never', 'initial_only', 'no_data', 'when_needed'];
export const PUBLICATION_AUTOCREATE_MODES: readonly PublicationAutocreateMode[] = ['all_tables', 'filtered', 'disabled'];
export const DECIMAL_HANDLING_MODES: readonly DecimalHandlingMode[] = ['precise', 'double', 'string'];
export const TIME_PRECISION_MODES: readonly TimePrecisionMode[] = ['adaptive', 'adaptive_time_microseconds', 'connect'];
export const INTERVAL_HANDLING_MODES: readonly IntervalHandlingMode[] = ['numeric', 'string'];

export interface PostgresCdcConfig {
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly dbname: string;
  readonly topicPrefix: string;
  readonly tableInclude: readonly string[];
  readonly tableExclude: readonly string[];
  readonly columnInclude: readonly string[];
  readonly columnExclude: readonly string[];
  readonly slotName: string;
  readonly publicationName: string;
  readonly publicationAutocreateMode: PublicationAutocreateMode;
  readonly snapshotMode: SnapshotMode;
  /** Chunk workers reading the snapshot in parallel (Debezium's snapshot.max.threads). */
  readonly snapshotMaxThreads: number;
  /** Rows per snapshot chunk (Millrace: the unit of resume and of parallelism). */
  readonly snapshotChunkRows: number;
  /** Rows per query inside a chunk (Debezium's snapshot.fetch.size). */
  readonly snapshotFetchSize: number;
  readonly heartbeatIntervalMs: number;
  /** Heartbeat records go to `<topicHeartbeatPrefix>.<topicPrefix>`. */
  readonly topicHeartbeatPrefix: string;
  /** What an unchanged TOASTed value is replaced by (Debezium's unavailable.value.placeholder). */
  readonly unavailableValuePlaceholder: string;
  readonly tombstonesOnDelete: boolean;
  readonly decimalHandlingMode: DecimalHandlingMode;
  readonly timePrecisionMode: TimePrecisionMode;
  readonly intervalHandlingMode: IntervalHandlingMode;
  readonly statusUpdateIntervalMs: number;
  /** Redis of the snapshot's chunk queue (BullMQ); null: the worker's REDIS_URL, else in-process. Holds a password maybe: never logged. */
  readonly snapshotQueueRedisUrl: string | null;
  /** Debezium's signal table `schema.table` (columns id, type, data), or null. */
  readonly signalDataCollection: string | null;
  /** Rows per incremental snapshot chunk (Debezium's incremental.snapshot.chunk.size). */
  readonly incrementalSnapshotChunkSize: number;
  /** Debezium's Kafka signal channel (signal.enabled.channels holds kafka), or null. */
  readonly signalKafka: KafkaSignalSettings | null;
  /** Operations not emitted (Debezium's skipped.operations: c, u, d, t; default t). */
  readonly skippedOperations: ReadonlySet<string>;
}

export class PostgresCdcConfigError extends Error {
  override readonly name = 'PostgresCdcConfigError';
}

const G_DB = 'Postgres';
const G_CDC = 'Change data capture';

const oneOf = (values: readonly string[]) => (v: ConfigValueType) => (values.includes(String(v)) ? null : `must be one of ${values.join(', ')}`);
const atLeast = (min: number) => (v: ConfigValueType) => (typeof v === 'number' && v < min ? `must be >= ${min}` : null);
/** Slot names: lower-case letters, digits and underscores (Postgres' own rule). */
const slotNameRule = (v: ConfigValueType) => (/^[a-z0-9_]{1,63}$/.test(String(v)) ? null : 'may hold only lower-case letters, digits and underscores (at most 63)');
const redisUrlRule = (v: ConfigValueType) => (v === null || v === '' || /^rediss?:\/\/[^\s]+$/.test(String(v)) ? null : 'must be a redis:// or rediss:// URL');
const signalTableRule = (v: ConfigValueType) => (v === null || v === '' || /^[^.\s]+\.[^.\s]+$/.test(String(v)) ? null : 'must be <schema>.<table>');
const skippedOperationsRule = (v: ConfigValueType) => {
  const bad = (Array.isArray(v) ? v : String(v ?? '').split(',')).map((s) => String(s).trim()).filter((s) => s !== '' && !['c', 'u', 'd', 't', 'none'].includes(s));
  return bad.length === 0 ? null : `may hold only c, u, d, t or none (not ${bad.join(', ')})`;
};
const identifierRule = (v: ConfigValueType) => (/^[A-Za-z0-9_.-]+$/.test(String(v)) ? null : 'may hold only letters, digits, "_", "." and "-"');

const KEYS: readonly ConfigKey[] = [
  { name: 'database.hostname', type: 'STRING', importance: 'HIGH', group: G_DB, orderInGroup: 1, documentation: 'Host of the PostgreSQL server.' },
  { name: 'database.port', type: 'INT', default: 5432, importance: 'HIGH', group: G_DB, orderInGroup: 2, validator: atLeast(1), documentation: 'Port of the PostgreSQL server.' },
  { name: 'database.user', type: 'STRING', importance: 'HIGH', group: G_DB, orderInGroup: 3, documentation: 'User with the REPLICATION attribute and SELECT on the captured tables.' },
  { name: 'database.password', type: 'PASSWORD', default: null, importance: 'HIGH', group: G_DB, orderInGroup: 4, documentation: 'Password of database.user.' },
  { name: 'database.dbname', type: 'STRING', importance: 'HIGH', group: G_DB, orderInGroup: 5, documentation: 'Database to capture.' },
  { name: 'topic.prefix', type: 'STRING', importance: 'HIGH', group: G_CDC, orderInGroup: 1, validator: identifierRule, documentation: 'Logical server name: topics are <topic.prefix>.<schema>.<table>; also the source partition of the offsets.' },
  { name: 'table.include.list', type: 'LIST', default: '', importance: 'HIGH', group: G_CDC, orderInGroup: 2, documentation: 'Regular expressions matched against schema.table of the tables to capture; empty = every table of non-system schemas.' },
  { name: 'table.exclude.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 3, documentation: 'Regular expressions matched against schema.table of tables not to capture. May not be combined with table.include.list.' },
  { name: 'column.include.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 18,
    documentation: 'Regular expressions matched against schema.table.column of the columns to capture; empty = every column. Key columns are always captured. May not be combined with column.exclude.list.' },
  { name: 'column.exclude.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 19, documentation: 'Regular expressions matched against schema.table.column of columns left out of the change events (key columns are always captured).' },
  { name: 'slot.name', type: 'STRING', default: 'debezium', importance: 'MEDIUM', group: G_CDC, orderInGroup: 4, validator: slotNameRule, documentation: 'Logical replication slot the connector streams from (created when missing, with an exported snapshot).' },
  { name: 'publication.name', type: 'STRING', default: 'dbz_publication', importance: 'MEDIUM', group: G_CDC, orderInGroup: 5, validator: identifierRule, documentation: 'pgoutput publication the slot streams.' },
  { name: 'publication.autocreate.mode', type: 'STRING', default: 'all_tables', importance: 'MEDIUM', group: G_CDC, orderInGroup: 6, allowedValues: PUBLICATION_AUTOCREATE_MODES, validator: oneOf(PUBLICATION_AUTOCREATE_MODES),
    documentation: 'all_tables: create the publication FOR ALL TABLES when missing (needs a superuser); filtered: create it (or set its tables) FOR TABLE the captured tables; disabled: it must exist and hold every captured table, else the connector fails saying what to run.' },
  { name: 'plugin.name', type: 'STRING', default: 'pgoutput', importance: 'LOW', group: G_CDC, orderInGroup: 7, allowedValues: ['pgoutput'], validator: oneOf(['pgoutput']), documentation: 'Logical decoding output plugin; only pgoutput (built into PostgreSQL 10+).' },
  { name: 'snapshot.mode', type: 'STRING', default: 'initial', importance: 'MEDIUM', group: G_CDC, orderInGroup: 8, allowedValues: SNAPSHOT_MODES, validator: oneOf(SNAPSHOT_MODES),
    documentation: 'initial: snapshot the tables when no offset is stored, then stream; never / no_data: stream only; initial_only: snapshot, then stop producing; when_needed: as initial, and snapshot again when the stored position cannot be resumed (slot missing).' },
  { name: 'snapshot.max.threads', type: 'INT', default: 1, importance: 'LOW', group: G_CDC, orderInGroup: 9, validator: atLeast(1), documentation: 'Snapshot chunks read in parallel, each on its own connection importing the slot\'s exported snapshot.' },
  { name: 'snapshot.chunk.rows', type: 'INT', default: 10000, importance: 'LOW', group: G_CDC, orderInGroup: 10, validator: atLeast(1), documentation: 'Rows per snapshot chunk (by primary-key range): the unit of parallel reading, of progress and of resume after a restart.' },
  { name: 'snapshot.fetch.size', type: 'INT', default: 2000, importance: 'LOW', group: G_CDC, orderInGroup: 11, validator: atLeast(1), documentation: 'Rows per query while reading a chunk.' },
  { name: 'heartbeat.interval.ms', type: 'INT', default: 10000, importance: 'LOW', group: G_CDC, orderInGroup: 12, validator: atLeast(0),
    documentation: 'While streaming, every interval: a heartbeat record to <topic.heartbeat.prefix>.<topic.prefix> and a logical message in the database, so the slot advances on a quiet database (0 = off; Debezium defaults to 0, Millrace to 10 s so idle slots never pin WAL).' },
  { name: 'topic.heartbeat.prefix', type: 'STRING', default: '__debezium-heartbeat', importance: 'LOW', group: G_CDC, orderInGroup: 16, validator: identifierRule, documentation: 'Prefix of the heartbeat topic <prefix>.<topic.prefix>.' },
  { name: 'unavailable.value.placeholder', type: 'STRING', default: '__debezium_unavailable_value', importance: 'LOW', group: G_CDC, orderInGroup: 17,
    documentation: 'Value of a TOASTed column an update left unchanged when the server did not send it (REPLICA IDENTITY other than FULL); such columns are also listed in the millrace.unchanged.columns header, which the jdbc-sink honours by keeping the stored value.' },
  { name: 'tombstones.on.delete', type: 'BOOLEAN', default: true, importance: 'LOW', group: G_CDC, orderInGroup: 13, documentation: 'Emit a tombstone (null value, same key) after each delete event.' },
  { name: 'decimal.handling.mode', type: 'STRING', default: 'precise', importance: 'LOW', group: G_CDC, orderInGroup: 14, allowedValues: DECIMAL_HANDLING_MODES, validator: oneOf(DECIMAL_HANDLING_MODES),
    documentation: 'precise: NUMERIC(p,s) as Connect Decimal (unconstrained NUMERIC as io.debezium.data.VariableScaleDecimal); double: float64; string: text.' },
  { name: 'time.precision.mode', type: 'STRING', default: 'adaptive', importance: 'LOW', group: G_CDC, orderInGroup: 20, allowedValues: TIME_PRECISION_MODES, validator: oneOf(TIME_PRECISION_MODES),
    documentation: 'adaptive: date/time/timestamp as io.debezium.time.* with the column\'s precision (ms or µs); adaptive_time_microseconds: as adaptive, every time in µs; connect: Kafka Connect\'s Date/Time/Timestamp (ms).' },
  { name: 'interval.handling.mode', type: 'STRING', default: 'numeric', importance: 'LOW', group: G_CDC, orderInGroup: 21, allowedValues: INTERVAL_HANDLING_MODES, validator: oneOf(INTERVAL_HANDLING_MODES),
    documentation: 'numeric: interval as io.debezium.time.MicroDuration (int64 µs, a month = 30.4375 days); string: ISO-8601 text (io.debezium.time.Interval).' },
  { name: 'snapshot.queue.redis.url', type: 'PASSWORD', default: null, importance: 'LOW', group: G_CDC, orderInGroup: 16, validator: redisUrlRule,
    documentation: 'Redis (redis://[user:password@]host:port[/db]) holding the snapshot\'s chunk jobs in a BullMQ queue, with retries and a dead worker\'s chunks redone. Unset: the worker\'s REDIS_URL environment variable when set, else an in-process queue.' },
  { name: 'signal.data.collection', type: 'STRING', default: null, importance: 'LOW', group: G_CDC, orderInGroup: 22, validator: signalTableRule,
    documentation: 'Signal table <schema>.<table> with columns id, type, data (Debezium\'s layout): a row inserted with type execute-snapshot and data {"data-collections": ["schema.table"], "type": "incremental"} starts an incremental snapshot; stop-snapshot stops it. The table is added to the publication (publication.autocreate.mode filtered/all_tables).' },
  { name: 'incremental.snapshot.chunk.size', type: 'INT', default: 1024, importance: 'LOW', group: G_CDC, orderInGroup: 23, validator: atLeast(1), documentation: 'Rows per chunk of an incremental snapshot (each read between two watermarks while streaming continues).' },
  { name: 'skipped.operations', type: 'LIST', default: 't', importance: 'LOW', group: G_CDC, orderInGroup: 24, validator: skippedOperationsRule,
    documentation: 'Change types not emitted: c (inserts), u (updates), d (deletes), t (truncates); "none" emits all. Debezium\'s default: t.' },
  { name: 'status.update.interval.ms', type: 'INT', default: 10000, importance: 'LOW', group: G_CDC, orderInGroup: 15, validator: atLeast(100), documentation: 'How often the connector reports its durable position to the server (never beyond what the broker committed).' },
  ...SIGNAL_CHANNEL_KEYS(G_CDC, 30),
];

export const POSTGRES_CDC_CONFIG_DEF: ConfigDef = { keys: KEYS, groups: [G_DB, G_CDC] };

/** Cross-key checks (key -> message) on raw values. */
export function crossFieldErrors(raw: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  const has = (k: string): boolean => (raw[k] ?? '').trim() !== '';
  if ((raw['signal.enabled.channels'] ?? '').split(',').some((c) => c.trim() === 'kafka') && !has('signal.kafka.bootstrap.servers')) {
    errors['signal.kafka.bootstrap.servers'] = 'signal.enabled.channels holds kafka: set the bootstrap servers of the Kafka cluster holding the signal topic';
  }
  if (has('table.include.list') && has('table.exclude.list')) errors['table.exclude.list'] = 'table.include.list and table.exclude.list may not both be set';
  if (has('column.include.list') && has('column.exclude.list')) errors['column.exclude.list'] = 'column.include.list and column.exclude.list may not both be set';
  for (const key of ['table.include.list', 'table.exclude.list', 'column.include.list', 'column.exclude.list']) {
    for (const pattern of (raw[key] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      try {
        new RegExp(`^(?:${pattern})$`);
      } catch {
        errors[key] = `"${pattern}" is not a valid regular expression`;
      }
    }
  }
  return errors;
}

export function parsePostgresCdcConfig(raw: Readonly<Record<string, string>>): PostgresCdcConfig {
  const { parsed: v, problems } = parseConfig(POSTGRES_CDC_CONFIG_DEF, raw);
  if (problems.length > 0) throw new PostgresCdcConfigError(problems[0].message);
  const cross = Object.entries(crossFieldErrors(raw));
  if (cross.length > 0) throw new PostgresCdcConfigError(`Invalid configuration ${cross[0][0]}: ${cross[0][1]}`);
  const str = (k: string): string => configString(v, k) ?? '';
  return {
    hostname: str('database.hostname'),
    port: configNumber(v, 'database.port'),
    user: str('database.user'),
    password: configString(v, 'database.password'),
    dbname: str('database.dbname'),
    topicPrefix: str('topic.prefix'),
    tableInclude: configList(v, 'table.include.list'),
    tableExclude: configList(v, 'table.exclude.list'),
    columnInclude: configList(v, 'column.include.list'),
    columnExclude: configList(v, 'column.exclude.list'),
    slotName: str('slot.name'),
    publicationName: str('publication.name'),
    publicationAutocreateMode: str('publication.autocreate.mode') as PublicationAutocreateMode,
    snapshotMode: str('snapshot.mode') as SnapshotMode,
    snapshotMaxThreads: configNumber(v, 'snapshot.max.threads'),
    snapshotChunkRows: configNumber(v, 'snapshot.chunk.rows'),
    snapshotFetchSize: configNumber(v, 'snapshot.fetch.size'),
    heartbeatIntervalMs: configNumber(v, 'heartbeat.interval.ms'),
    topicHeartbeatPrefix: str('topic.heartbeat.prefix'),
    unavailableValuePlaceholder: str('unavailable.value.placeholder'),
    tombstonesOnDelete: configBoolean(v, 'tombstones.on.delete'),
    decimalHandlingMode: str('decimal.handling.mode') as DecimalHandlingMode,
    timePrecisionMode: str('time.precision.mode') as TimePrecisionMode,
    intervalHandlingMode: str('interval.handling.mode') as IntervalHandlingMode,
    statusUpdateIntervalMs: configNumber(v, 'status.update.interval.ms'),
    snapshotQueueRedisUrl: configString(v, 'snapshot.queue.redis.url') || null,
    signalDataCollection: configString(v, 'signal.data.collection') || null,
    incrementalSnapshotChunkSize: configNumber(v, 'incremental.snapshot.chunk.size'),
    signalKafka: kafkaSignalSettings(v, configString(v, 'topic.prefix') ?? '', (m) => new PostgresCdcConfigError(m)),
    skippedOperations: new Set(configList(v, 'skipped.operations').filter((o) => o !== 'none')),
  };
}

/** pg client options for the configured database (never logged: holds the password). */
export function clientOptions(config: PostgresCdcConfig, applicationName: string): { host: string; port: number; user: string; password?: string; database: string; application_name: string; connectionTimeoutMillis: number } {
  return {
    host: config.hostname,
    port: config.port,
    user: config.user,
    ...(config.password !== null ? { password: config.password } : {}),
    database: config.dbname,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
  };
}
