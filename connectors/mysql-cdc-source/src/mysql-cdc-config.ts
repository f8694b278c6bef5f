import { kafkaSignalSettings, SIGNAL_CHANNEL_KEYS, type KafkaSignalSettings } from '@millrace/cdc-snapshot';
import { atLeast, configBoolean, configList, configNumber, configString, oneOf, parseConfig, range, regex, validRegex, type ConfigDef, type ConfigKey } from '@millrace/connect-sdk';

/**
 * The MySQL/MariaDB CDC source's configuration: Debezium's MySQL connector keys (same
 * names, defaults and meanings) for the part built so far.
 *
 * Contract: `parseMySqlCdcConfig` takes the raw string map the runtime stores and returns
 * typed values with defaults applied, or throws MySqlCdcConfigError naming the first bad
 * key and what to change; `crossFieldErrors` holds the checks spanning keys (key ->
 * message), shared with the plugin's `validate`.
 */
export type SnapshotMode = 'initial' | 'never' | 'initial_only' | 'no_data' | 'when_needed';
export type SnapshotLockingMode = 'minimal' | 'none';
export type DecimalHandlingMode = 'precise' | 'double' | 'string';
export type TimePrecisionMode = 'adaptive_time_microseconds' | 'connect';

export const SNAPSHOT_MODES: readonly SnapshotMode[] = ['initial', 'never', 'initial_only', 'no_data', 'when_needed'];
export const SNAPSHOT_LOCKING_MODES: readonly SnapshotLockingMode[] = ['minimal', 'none'];
export const DECIMAL_HANDLING_MODES: readonly DecimalHandlingMode[] = ['precise', 'double', 'string'];
export const TIME_PRECISION_MODES: readonly TimePrecisionMode[] = ['adaptive_time_microseconds', 'connect'];

export interface MySqlCdcConfig {
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  /** The server id the binlog client announces (unique among the server's replicas). */
  readonly serverId: number;
  readonly topicPrefix: string;
  readonly databaseInclude: readonly string[];
  readonly databaseExclude: readonly string[];
  readonly tableInclude: readonly string[];
  readonly tableExclude: readonly string[];
  readonly columnInclude: readonly string[];
  readonly columnExclude: readonly string[];
  readonly snapshotMode: SnapshotMode;
  readonly snapshotLockingMode: SnapshotLockingMode;
  readonly snapshotMaxThreads: number;
  readonly snapshotChunkRows: number;
  readonly snapshotFetchSize: number;
  readonly heartbeatIntervalMs: number;
  readonly decimalHandlingMode: DecimalHandlingMode;
  readonly timePrecisionMode: TimePrecisionMode;
  readonly tombstonesOnDelete: boolean;
  /** Change operations not emitted (Debezium's skipped.operations: c, u, d, t). */
  readonly skippedOperations: ReadonlySet<string>;
  /** The history topic (one partition): `schema.history.internal.kafka.topic`, default `schema-changes.<topic.prefix>`. */
  readonly schemaHistoryTopic: string;
  /** The signal table "database.table" (Debezium's signal.data.collection), or null. */
  readonly signalDataCollection: string | null;
  /** Rows per incremental snapshot chunk (Debezium's incremental.snapshot.chunk.size). */
  readonly incrementalSnapshotChunkSize: number;
  /** Debezium's Kafka signal channel (signal.enabled.channels holds kafka), or null. */
  readonly signalKafka: KafkaSignalSettings | null;
}

export class MySqlCdcConfigError extends Error {
  override readonly name = 'MySqlCdcConfigError';
}

const G_DB = 'MySQL';
const G_CDC = 'Change data capture';
const identifier = regex(/[A-Za-z0-9_.-]+/, 'letters, digits, "_", "." and "-" only');

const KEYS: readonly ConfigKey[] = [
  { name: 'database.hostname', type: 'STRING', importance: 'HIGH', group: G_DB, orderInGroup: 1, documentation: 'Host of the MySQL or MariaDB server.' },
  { name: 'database.port', type: 'INT', default: 3306, importance: 'HIGH', group: G_DB, orderInGroup: 2, validator: range(1, 65535), documentation: 'Port of the server.' },
  { name: 'database.user', type: 'STRING', importance: 'HIGH', group: G_DB, orderInGroup: 3, documentation: 'User with REPLICATION SLAVE, REPLICATION CLIENT and SELECT on the captured tables (RELOAD for snapshot.locking.mode=minimal).' },
  { name: 'database.password', type: 'PASSWORD', default: null, importance: 'HIGH', group: G_DB, orderInGroup: 4, documentation: 'Password of database.user.' },
  { name: 'database.server.id', type: 'LONG', importance: 'HIGH', group: G_DB, orderInGroup: 5, validator: range(1, 4294967295),
    documentation: 'Numeric id (1..4294967295) the connector announces as a replica; unique among the server\'s replicas and other connectors.' },
  { name: 'topic.prefix', type: 'STRING', importance: 'HIGH', group: G_CDC, orderInGroup: 1, validator: identifier, documentation: 'Logical server name: topics are <topic.prefix>.<database>.<table>; also the source partition of the offsets.' },
  { name: 'database.include.list', type: 'LIST', default: '', importance: 'HIGH', group: G_CDC, orderInGroup: 2, validator: validRegex(), documentation: 'Regular expressions matched against database names to capture; empty = every non-system database.' },
  { name: 'database.exclude.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 3, validator: validRegex(), documentation: 'Regular expressions matched against database names not to capture.' },
  { name: 'table.include.list', type: 'LIST', default: '', importance: 'HIGH', group: G_CDC, orderInGroup: 4, validator: validRegex(), documentation: 'Regular expressions matched against database.table of the tables to capture; empty = every table of the captured databases.' },
  { name: 'table.exclude.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 5, validator: validRegex(), documentation: 'Regular expressions matched against database.table of tables not to capture.' },
  { name: 'column.include.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 6, validator: validRegex(), documentation: 'Regular expressions matched against database.table.column of the columns to emit; key columns are always emitted.' },
  { name: 'column.exclude.list', type: 'LIST', default: '', importance: 'MEDIUM', group: G_CDC, orderInGroup: 7, validator: validRegex(), documentation: 'Regular expressions matched against database.table.column of columns not to emit; key columns are always emitted.' },
  { name: 'snapshot.mode', type: 'STRING', default: 'initial', importance: 'MEDIUM', group: G_CDC, orderInGroup: 8, allowedValues: SNAPSHOT_MODES, validator: oneOf(SNAPSHOT_MODES),
    documentation: 'initial: snapshot the tables when no offset is stored, then stream; initial_only: snapshot, then stop producing; never / no_data: stream from the current binlog position; when_needed: as initial, and snapshot again when the stored binlog position was purged.' },
  { name: 'snapshot.locking.mode', type: 'STRING', default: 'minimal', importance: 'MEDIUM', group: G_CDC, orderInGroup: 9, allowedValues: SNAPSHOT_LOCKING_MODES, validator: oneOf(SNAPSHOT_LOCKING_MODES),
    documentation: 'minimal: hold FLUSH TABLES WITH READ LOCK only while reading the binlog position and opening the consistent-snapshot transactions (needs RELOAD); none: take no lock and open no consistent-snapshot session (needs no RELOAD; MySQL and MariaDB), for servers that refuse FLUSH TABLES WITH READ LOCK: the binlog streams from the start while each table (all need a primary key) is read in chunks of incremental.snapshot.chunk.size rows between binlog-position watermarks, chunk rows the binlog changed meanwhile dropped (records op r, source.snapshot incremental).' },
  { name: 'snapshot.max.threads', type: 'INT', default: 1, importance: 'LOW', group: G_CDC, orderInGroup: 10, validator: range(1, 64), documentation: 'Snapshot chunks read in parallel, each on its own consistent-snapshot connection.' },
  { name: 'snapshot.chunk.rows', type: 'INT', default: 10000, importance: 'LOW', group: G_CDC, orderInGroup: 11, validator: atLeast(1), documentation: 'Rows per snapshot chunk (by primary-key range): the unit of parallel reading, of progress and of resume after a restart.' },
  { name: 'snapshot.fetch.size', type: 'INT', default: 2000, importance: 'LOW', group: G_CDC, orderInGroup: 12, validator: atLeast(1), documentation: 'Rows per query while reading a chunk.' },
  { name: 'heartbeat.interval.ms', type: 'INT', default: 0, importance: 'LOW', group: G_CDC, orderInGroup: 13, validator: atLeast(0), documentation: 'Milliseconds between heartbeat records to __debezium-heartbeat.<topic.prefix> while streaming (0 = off); each stores the position after everything read, so an idle or filtered database still advances the stored position.' },
  { name: 'decimal.handling.mode', type: 'STRING', default: 'precise', importance: 'LOW', group: G_CDC, orderInGroup: 14, allowedValues: DECIMAL_HANDLING_MODES, validator: oneOf(DECIMAL_HANDLING_MODES),
    documentation: 'precise: DECIMAL(p,s) as Connect Decimal; double: float64; string: text. BIGINT UNSIGNED is always a Decimal of scale 0 (lossless).' },
  { name: 'time.precision.mode', type: 'STRING', default: 'adaptive_time_microseconds', importance: 'LOW', group: G_CDC, orderInGroup: 15, allowedValues: TIME_PRECISION_MODES, validator: oneOf(TIME_PRECISION_MODES),
    documentation: 'adaptive_time_microseconds: DATE as io.debezium.time.Date, DATETIME(0..3) as Timestamp (ms), DATETIME(4..6) as MicroTimestamp (µs), TIME as MicroTime (µs); connect: Kafka Connect\'s Date, Time and Timestamp (ms).' },
  { name: 'tombstones.on.delete', type: 'BOOLEAN', default: true, importance: 'LOW', group: G_CDC, orderInGroup: 16, documentation: 'Emit a tombstone (null value, same key) after each delete event.' },
  { name: 'skipped.operations', type: 'LIST', default: 't', importance: 'LOW', group: G_CDC, orderInGroup: 17, validator: oneOf(['c', 'u', 'd', 't', 'none']),
    documentation: 'Change operations not to emit: c (create), u (update), d (delete), t (truncate), or none. Default t, as Debezium: truncate events are skipped unless this key says otherwise.' },
  { name: 'schema.history.internal.kafka.topic', type: 'STRING', default: null, importance: 'LOW', group: G_CDC, orderInGroup: 18, validator: identifier,
    documentation: 'Topic (one partition) of the schema history records: each captured table\'s shape from each binlog position on, written in the same transaction as the change events; the whole history of a table is also its source offset, so it cannot be lost. Default schema-changes.<topic.prefix>.' },
  { name: 'signal.data.collection', type: 'STRING', default: null, importance: 'LOW', group: G_CDC, orderInGroup: 19, validator: regex(/[^.\s]+\.[^.\s]+/, 'the signal table as database.table'),
    documentation: 'The signal table as database.table (columns id VARCHAR(42) PRIMARY KEY, type VARCHAR(32), data VARCHAR(2048)), as Debezium: an execute-snapshot or stop-snapshot row inserted there starts or stops an incremental snapshot, and the connector inserts its snapshot-window-open/close watermark rows there (the user needs INSERT on it). POST /connectors/{c}/snapshots inserts its signal there too.' },
  ...SIGNAL_CHANNEL_KEYS(G_CDC, 21),
  { name: 'incremental.snapshot.chunk.size', type: 'INT', default: 1024, importance: 'LOW', group: G_CDC, orderInGroup: 20, validator: atLeast(1), documentation: 'Rows per chunk of an incremental snapshot (each read between two watermarks while the binlog streams).' },
];

export const MYSQL_CDC_CONFIG_DEF: ConfigDef = { keys: KEYS, groups: [G_DB, G_CDC] };

/** Cross-key checks (key -> message) on raw values. */
export function crossFieldErrors(raw: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  const has = (k: string): boolean => (raw[k] ?? '').trim() !== '';
  for (const what of ['database', 'table', 'column']) {
    if (has(`${what}.include.list`) && has(`${what}.exclude.list`)) errors[`${what}.exclude.list`] = `${what}.include.list and ${what}.exclude.list may not both be set`;
  }
  if ((raw['signal.enabled.channels'] ?? '').split(',').some((c) => c.trim() === 'kafka') && !has('signal.kafka.bootstrap.servers')) {
    errors['signal.kafka.bootstrap.servers'] = 'signal.enabled.channels holds kafka: set the bootstrap servers of the Kafka cluster holding the signal topic';
  }
  return errors;
}

export function parseMySqlCdcConfig(raw: Readonly<Record<string, string>>): MySqlCdcConfig {
  const { parsed: v, problems } = parseConfig(MYSQL_CDC_CONFIG_DEF, raw);
  if (problems.length > 0) throw new MySqlCdcConfigError(problems[0].message);
  const cross = Object.entries(crossFieldErrors(raw));
  if (cross.length > 0) throw new MySqlCdcConfigError(`Invalid configuration ${cross[0][0]}: ${cross[0][1]}`);
  const str = (k: string): string => configString(v, k) ?? '';
  return {
    hostname: str('database.hostname'),
    port: configNumber(v, 'database.port'),
    user: str('database.user'),
    password: configString(v, 'database.password'),
    serverId: configNumber(v, 'database.server.id'),
    topicPrefix: str('topic.prefix'),
    databaseInclude: configList(v, 'database.include.list'),
    databaseExclude: configList(v, 'database.exclude.list'),
    tableInclude: configList(v, 'table.include.list'),
    tableExclude: configList(v, 'table.exclude.list'),
    columnInclude: configList(v, 'column.include.list'),
    columnExclude: configList(v, 'column.exclude.list'),
    snapshotMode: str('snapshot.mode') as SnapshotMode,
    snapshotLockingMode: str('snapshot.locking.mode') as SnapshotLockingMode,
    snapshotMaxThreads: configNumber(v, 'snapshot.max.threads'),
    snapshotChunkRows: configNumber(v, 'snapshot.chunk.rows'),
    snapshotFetchSize: configNumber(v, 'snapshot.fetch.size'),
    heartbeatIntervalMs: configNumber(v, 'heartbeat.interval.ms'),
    decimalHandlingMode: str('decimal.handling.mode') as DecimalHandlingMode,
    timePrecisionMode: str('time.precision.mode') as TimePrecisionMode,
    tombstonesOnDelete: configBoolean(v, 'tombstones.on.delete'),
    skippedOperations: new Set(configList(v, 'skipped.operations').map((o) => o.trim()).filter((o) => o !== 'none' && o !== '')),
    schemaHistoryTopic: configString(v, 'schema.history.internal.kafka.topic') ?? `schema-changes.${str('topic.prefix')}`,
    signalDataCollection: configString(v, 'signal.data.collection') || null,
    incrementalSnapshotChunkSize: configNumber(v, 'incremental.snapshot.chunk.size'),
    signalKafka: kafkaSignalSettings(v, str('topic.prefix'), (m) => new MySqlCdcConfigError(m)),
  };
}

/**
 * mysql2 options for the configured server (never logged: holds the password). Values
 * come back in the same forms as the binlog reader decodes them (dates as text, exact
 * 64-bit integers and decimals as text, JSON as text), so one decoder serves both.
 */
export function connectionOptions(config: MySqlCdcConfig): Record<string, unknown> {
  return {
    host: config.hostname,
    port: config.port,
    user: config.user,
    ...(config.password !== null ? { password: config.password } : {}),
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    connectTimeout: 10_000,
  };
}
