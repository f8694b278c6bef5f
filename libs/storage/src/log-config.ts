import { InvalidConfigError } from './errors';

/**
 * Topic-level log configuration, with Kafka's key names, defaults and validation.
 *
 * Values arrive as strings (CreateTopics configs, AlterConfigs / IncrementalAlterConfigs)
 * and are parsed by `parseLogConfig`, which throws an `InvalidConfigError`
 * (INVALID_CONFIG, 40) naming the offending key. `logConfigToStrings` renders a config
 * back to Kafka's string form for DescribeConfigs.
 *
 * Kafka longs are held as JS numbers. Long.MAX_VALUE ("9223372036854775807") parses to
 * the double 2^63, exported as `LONG_MAX`; it means "never"/"unlimited" wherever Kafka
 * uses it (flush.messages, flush.ms, ...), and is printed back as 9223372036854775807.
 */
export const LONG_MAX = 2 ** 63;
const LONG_MAX_TEXT = '9223372036854775807';
const INT_MAX = 2147483647;

export type CleanupPolicy = 'delete' | 'compact';
export type TimestampType = 'CreateTime' | 'LogAppendTime';
export type CompressionConfig = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface LogConfig {
  /** segment.bytes — roll the active segment when the next append would exceed it. */
  readonly segmentBytes: number;
  /** segment.ms — roll when the active segment is this old (by first batch timestamp, as Kafka). */
  readonly segmentMs: number;
  /** segment.jitter.ms — subtracted from segment.ms (fixed per log, random in [0, jitter)). */
  readonly segmentJitterMs: number;
  /** segment.index.bytes — cap on each index file; a full index rolls the segment. */
  readonly segmentIndexBytes: number;
  /** index.interval.bytes — bytes of log between two offset-index entries. */
  readonly indexIntervalBytes: number;
  /** retention.ms — delete segments whose largest timestamp is older; -1 = forever. */
  readonly retentionMs: number;
  /** retention.bytes — delete oldest segments while the log is bigger; -1 = unlimited. */
  readonly retentionBytes: number;
  /** cleanup.policy — any of delete, compact (possibly both, possibly none). */
  readonly cleanupPolicy: readonly CleanupPolicy[];
  /** delete.retention.ms — how long compaction keeps tombstones. */
  readonly deleteRetentionMs: number;
  /** min.compaction.lag.ms — records younger than this are never compacted. */
  readonly minCompactionLagMs: number;
  /** max.compaction.lag.ms — accepted and validated; the cleaner does not force compaction by it. */
  readonly maxCompactionLagMs: number;
  /** min.cleanable.dirty.ratio — dirty / (clean + dirty) bytes needed to compact. */
  readonly minCleanableDirtyRatio: number;
  /** flush.messages — fsync after this many records; 1 = every append (group commit). */
  readonly flushMessages: number;
  /** flush.ms — fsync when the oldest unflushed data is this old. */
  readonly flushMs: number;
  /** file.delete.delay.ms — accepted; deleted segments are removed once readers release them. */
  readonly fileDeleteDelayMs: number;
  /** max.message.bytes — largest batch (after the 12-byte log overhead) accepted. */
  readonly maxMessageBytes: number;
  /** message.timestamp.type — CreateTime keeps producer timestamps; LogAppendTime stamps the broker clock. */
  readonly messageTimestampType: TimestampType;
  /** message.timestamp.before.max.ms — max allowed age of a CreateTime timestamp. */
  readonly messageTimestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms — max allowed distance of a CreateTime timestamp in the future. */
  readonly messageTimestampAfterMaxMs: number;
  /** compression.type — accepted and described; batches are stored as produced (no recompression). */
  readonly compressionType: CompressionConfig;
  /** preallocate — accepted and described; segment files are not preallocated. */
  readonly preallocate: boolean;
  /** min.insync.replicas — not used by storage, kept so one object describes the topic. */
  readonly minInsyncReplicas: number;
  /** unclean.leader.election.enable — not used by storage, kept for DescribeConfigs. */
  readonly uncleanLeaderElectionEnable: boolean;
  /**
   * message.format.version — a no-op kept for compatibility, as in Kafka 3.x (every
   * batch is stored in format v2 whatever it says); validated as a Kafka version string.
   */
  readonly messageFormatVersion: string;
}

type Parser<T> = (text: string, key: string) => T;
type Formatter<T> = (value: T) => string;

interface ConfigDef<K extends keyof LogConfig> {
  readonly name: string;
  readonly field: K;
  readonly defaultValue: LogConfig[K];
  readonly parse: Parser<LogConfig[K]>;
  readonly format: Formatter<LogConfig[K]>;
}

function bad(key: string, text: string, why: string): InvalidConfigError {
  return new InvalidConfigError(`Invalid value ${JSON.stringify(text)} for configuration ${key}: ${why}`);
}

function longParser(min: number, max = LONG_MAX): Parser<number> {
  return (text, key) => {
    const t = text.trim();
    if (!/^-?\d+$/.test(t)) throw bad(key, text, 'not a number');
    const v = Number(t);
    if (v > LONG_MAX || v < -LONG_MAX) throw bad(key, text, 'out of the 64-bit range');
    if (v < min) throw bad(key, text, `value must be at least ${min}`);
    if (v > max) throw bad(key, text, `value must be no more than ${max}`);
    return v;
  };
}
const intParser = (min: number): Parser<number> => longParser(min, INT_MAX);
const formatLong: Formatter<number> = (v) => (v >= LONG_MAX ? LONG_MAX_TEXT : String(v));

const ratioParser: Parser<number> = (text, key) => {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) throw bad(key, text, 'not a number');
  if (v < 0 || v > 1) throw bad(key, text, 'value must be between 0 and 1');
  return v;
};

const boolParser: Parser<boolean> = (text, key) => {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw bad(key, text, 'expected true or false');
};

function enumParser<T extends string>(values: readonly T[], caseInsensitive = false): Parser<T> {
  return (text, key) => {
    const t = text.trim();
    const found = values.find((v) => (caseInsensitive ? v.toLowerCase() === t.toLowerCase() : v === t));
    if (found === undefined) throw bad(key, text, `expected one of ${values.join(', ')}`);
    return found;
  };
}

const cleanupParser: Parser<readonly CleanupPolicy[]> = (text, key) => {
  const parts = text
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '');
  const out: CleanupPolicy[] = [];
  for (const p of parts) {
    if (p !== 'delete' && p !== 'compact') throw bad(key, text, 'expected a list of delete, compact');
    if (!out.includes(p)) out.push(p);
  }
  return out;
};

function def<K extends keyof LogConfig>(
  name: string,
  field: K,
  defaultValue: LogConfig[K],
  parse: Parser<LogConfig[K]>,
  format: Formatter<LogConfig[K]>,
): ConfigDef<K> {
  return { name, field, defaultValue, parse, format };
}

const str = (v: unknown): string => String(v);

/** Kafka release/metadata version strings as message.format.version takes them: 0.10.2, 2.8, 3.0-IV1, ... */
const KAFKA_VERSION = /^(0\.(8|9|10|11)(\.\d+)?|[1-9]\d*\.\d+(\.\d+)?)(-IV\d+)?$/;
const versionParser: Parser<string> = (text, key) => {
  const t = text.trim();
  if (!KAFKA_VERSION.test(t)) throw bad(key, text, 'expected a Kafka version such as 2.8 or 3.0-IV1');
  return t;
};

/** Every supported topic config key, in Kafka's naming, with its default. */
export const LOG_CONFIG_DEFS = [
  def('segment.bytes', 'segmentBytes', 1073741824, intParser(14), formatLong),
  def('segment.ms', 'segmentMs', 604800000, longParser(1), formatLong),
  def('segment.jitter.ms', 'segmentJitterMs', 0, longParser(0), formatLong),
  def('segment.index.bytes', 'segmentIndexBytes', 10485760, intParser(12), formatLong),
  def('index.interval.bytes', 'indexIntervalBytes', 4096, intParser(0), formatLong),
  def('retention.ms', 'retentionMs', 604800000, longParser(-1), formatLong),
  def('retention.bytes', 'retentionBytes', -1, longParser(-LONG_MAX), formatLong),
  def('cleanup.policy', 'cleanupPolicy', ['delete'] as readonly CleanupPolicy[], cleanupParser, (v) => v.join(',')),
  def('delete.retention.ms', 'deleteRetentionMs', 86400000, longParser(0), formatLong),
  def('min.compaction.lag.ms', 'minCompactionLagMs', 0, longParser(0), formatLong),
  def('max.compaction.lag.ms', 'maxCompactionLagMs', LONG_MAX, longParser(1), formatLong),
  def('min.cleanable.dirty.ratio', 'minCleanableDirtyRatio', 0.5, ratioParser, str),
  def('flush.messages', 'flushMessages', LONG_MAX, longParser(1), formatLong),
  def('flush.ms', 'flushMs', LONG_MAX, longParser(0), formatLong),
  def('file.delete.delay.ms', 'fileDeleteDelayMs', 60000, longParser(0), formatLong),
  def('max.message.bytes', 'maxMessageBytes', 1048588, intParser(0), formatLong),
  def(
    'message.timestamp.type',
    'messageTimestampType',
    'CreateTime' as TimestampType,
    enumParser<TimestampType>(['CreateTime', 'LogAppendTime']),
    str,
  ),
  def('message.timestamp.before.max.ms', 'messageTimestampBeforeMaxMs', LONG_MAX, longParser(0), formatLong),
  def('message.timestamp.after.max.ms', 'messageTimestampAfterMaxMs', LONG_MAX, longParser(0), formatLong),
  def(
    'compression.type',
    'compressionType',
    'producer' as CompressionConfig,
    enumParser<CompressionConfig>(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'], true),
    str,
  ),
  def('preallocate', 'preallocate', false, boolParser, str),
  def('min.insync.replicas', 'minInsyncReplicas', 1, intParser(1), formatLong),
  def('unclean.leader.election.enable', 'uncleanLeaderElectionEnable', false, boolParser, str),
  def('message.format.version', 'messageFormatVersion', '3.0-IV1', versionParser, str),
] as const;

type AnyDef = ConfigDef<keyof LogConfig>;
const DEFS_BY_NAME = new Map<string, AnyDef>(LOG_CONFIG_DEFS.map((d) => [d.name, d as unknown as AnyDef]));

export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze(
  Object.fromEntries(LOG_CONFIG_DEFS.map((d) => [d.field, d.defaultValue])) as unknown as LogConfig,
);

/** True if `name` is a topic config key this library understands. */
export function isLogConfigKey(name: string): boolean {
  return DEFS_BY_NAME.has(name);
}

/**
 * Parses Kafka-named string configs on top of `base` (default: Kafka's defaults).
 * `undefined` values are ignored (a key being reset is simply omitted). Unknown keys and
 * bad values throw `InvalidConfigError` naming the key.
 */
export function parseLogConfig(
  values: Readonly<Record<string, string | undefined>>,
  base: LogConfig = DEFAULT_LOG_CONFIG,
): LogConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [name, text] of Object.entries(values)) {
    if (text === undefined) continue;
    const d = DEFS_BY_NAME.get(name);
    if (!d) throw new InvalidConfigError(`Unknown topic config name: ${name}`);
    out[d.field] = d.parse(text, name);
  }
  return validateLogConfig(out as unknown as LogConfig);
}

/** Builds a config from typed fields (tests, broker defaults); validates like `parseLogConfig`. */
export function logConfig(fields: Partial<LogConfig> = {}, base: LogConfig = DEFAULT_LOG_CONFIG): LogConfig {
  const merged = { ...base, ...fields };
  // Re-parse each value through its string form so typed input gets the same validation.
  for (const d of LOG_CONFIG_DEFS as readonly AnyDef[]) {
    d.parse(d.format(merged[d.field] as never), d.name);
  }
  return validateLogConfig(merged);
}

function validateLogConfig(c: LogConfig): LogConfig {
  if (c.maxCompactionLagMs < c.minCompactionLagMs) {
    throw new InvalidConfigError(
      `Invalid value ${c.maxCompactionLagMs} for configuration max.compaction.lag.ms: must be at least min.compaction.lag.ms (${c.minCompactionLagMs})`,
    );
  }
  return Object.freeze({ ...c, cleanupPolicy: Object.freeze([...c.cleanupPolicy]) });
}

/** Kafka's string form of every key, for DescribeConfigs. */
export function logConfigToStrings(c: LogConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of LOG_CONFIG_DEFS as readonly AnyDef[]) out[d.name] = d.format(c[d.field] as never);
  return out;
}

/** Keys whose value differs from `base` (the "dynamic topic config" overrides). */
export function logConfigOverrides(c: LogConfig, base: LogConfig = DEFAULT_LOG_CONFIG): Record<string, string> {
  const all = logConfigToStrings(c);
  const defaults = logConfigToStrings(base);
  return Object.fromEntries(Object.entries(all).filter(([k, v]) => defaults[k] !== v));
}

export function isCompacted(c: LogConfig): boolean {
  return c.cleanupPolicy.includes('compact');
}

export function isDeleteRetention(c: LogConfig): boolean {
  return c.cleanupPolicy.includes('delete');
}
