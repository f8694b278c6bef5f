import type { ConfigDef, ConfigKey, ParsedConfig } from '@millrace/connect-sdk';
import { jdbcConnectionConfigKeys, readJdbcConnectionConfig, type JdbcConnectionConfig } from '@millrace/jdbc';
import { readSinkWriteConfig, SINK_TOPICS_KEY, SINK_WRITE_CONFIG_KEYS, sinkWriteCrossFieldErrors, tableNameFor, validateSinkConfig, type SinkWriteConfig } from '@millrace/sink-rows';

/**
 * Configuration of the JDBC sink: the keys of Confluent's JdbcSinkConnector that this
 * sink implements, with Confluent's names, defaults and meanings.
 *
 * Cross-field rules (as Confluent validates them):
 * - `delete.enabled=true` requires `pk.mode=record_key`;
 * - `insert.mode` upsert/update requires a `pk.mode` other than none;
 * - `pk.mode=kafka` takes zero or exactly three `pk.fields` (topic, partition, offset names);
 * - `connection.url` must parse and name a database.
 * The `connection.*` keys are @millrace/jdbc's (connection.user/connection.password win
 * over `user`/`password` in the URL).
 */
export type { InsertMode, PkMode } from '@millrace/sink-rows';

export interface JdbcSinkConfig extends JdbcConnectionConfig, SinkWriteConfig {}

export class JdbcSinkConfigError extends Error {
  override readonly name = 'JdbcSinkConfigError';
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super(Object.entries(errors).map(([key, message]) => `${key}: ${message}`).join('; '));
  }
}

const KEYS: readonly ConfigKey[] = [SINK_TOPICS_KEY, ...jdbcConnectionConfigKeys({ group: 'Connection', requireDatabase: true }), ...SINK_WRITE_CONFIG_KEYS];

export const JDBC_SINK_CONFIG_DEF: ConfigDef = {
  keys: KEYS,
  groups: ['Common', 'Connection', 'Writes', 'Data Mapping', 'DDL Support'],
};

/**
 * Every key's parsed value (the SDK's parseConfig: defaults, types, per-key validators)
 * plus every error, per-key and cross-field, key -> message (several joined by "; ").
 */
export function validateJdbcSinkConfig(raw: Readonly<Record<string, string>>): {
  values: ParsedConfig;
  errors: Readonly<Record<string, string>>;
} {
  return validateSinkConfig(JDBC_SINK_CONFIG_DEF, raw);
}

/** The cross-field rules listed at the top of this file, on parsed values: key -> message. */
export function jdbcSinkCrossFieldErrors(values: ParsedConfig): Record<string, string> {
  return sinkWriteCrossFieldErrors(values);
}

/** Parses a task config (raw strings); throws JdbcSinkConfigError listing every problem. */
export function parseJdbcSinkConfig(raw: Readonly<Record<string, string>>): JdbcSinkConfig {
  const { values, errors } = validateJdbcSinkConfig(raw);
  if (Object.keys(errors).length > 0) throw new JdbcSinkConfigError(errors);
  return { ...readJdbcConnectionConfig(values), ...readSinkWriteConfig(values) };
}

export { tableNameFor };
