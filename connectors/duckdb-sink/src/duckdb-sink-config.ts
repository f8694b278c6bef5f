import * as path from 'node:path';
import type { ConfigDef, ConfigKey, ParsedConfig } from '@millrace/connect-sdk';
import { readSinkWriteConfig, SINK_TOPICS_KEY, SINK_WRITE_CONFIG_KEYS, validateSinkConfig, type SinkWriteConfig } from '@millrace/sink-rows';

/**
 * Configuration of the DuckDB sink: `duckdb.path` plus the write and data-mapping keys it
 * shares with the JDBC sink (@millrace/sink-rows: insert.mode, pk.mode, pk.fields,
 * delete.enabled, auto.create, auto.evolve, table.name.format, fields.whitelist,
 * batch.size — same names, defaults, meanings and cross-field rules).
 *
 * `duckdb.path` empty (the default) means `<data dir>/duckdb/<connector name>.duckdb`,
 * the data dir being the worker's MILLRACE_DATA_DIR (default `./data`), as every other
 * piece of Millrace state on disk. A relative path is resolved against the worker's
 * working directory.
 */
export interface DuckDbSinkConfig extends SinkWriteConfig {
  /** The configured path; '' = the default under the data dir (`databaseFile`). */
  readonly path: string;
  readonly threads: number;
}

export class DuckDbSinkConfigError extends Error {
  override readonly name = 'DuckDbSinkConfigError';
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super(Object.entries(errors).map(([key, message]) => `${key}: ${message}`).join('; '));
  }
}

const PATH_KEY: ConfigKey = {
  name: 'duckdb.path',
  type: 'STRING',
  default: '',
  importance: 'HIGH',
  group: 'Connection',
  documentation:
    'The DuckDB database file. Empty: <MILLRACE_DATA_DIR>/duckdb/<connector name>.duckdb. DuckDB allows one writing process per file: one task of one connector writes it (tasks.max above 1 still runs one task).',
  validator: (v) => (typeof v === 'string' && (v === ':memory:' || /[\0]/.test(v)) ? 'must be a file path (DuckDB in memory keeps nothing across restarts)' : null),
};

const THREADS_KEY: ConfigKey = {
  name: 'duckdb.threads',
  type: 'INT',
  default: 1,
  importance: 'LOW',
  group: 'Connection',
  documentation: "DuckDB's worker threads for the sink's statements (its `threads` setting). The per-batch statements are small: one thread runs them fastest and leaves the cores to the rest of the worker.",
  validator: (v) => (typeof v === 'number' && v >= 1 && v <= 64 ? null : 'must be between 1 and 64'),
};

export const DUCKDB_SINK_CONFIG_DEF: ConfigDef = {
  keys: [SINK_TOPICS_KEY, PATH_KEY, THREADS_KEY, ...SINK_WRITE_CONFIG_KEYS],
  groups: ['Common', 'Connection', 'Writes', 'Data Mapping', 'DDL Support'],
};

export function validateDuckDbSinkConfig(raw: Readonly<Record<string, string>>): { values: ParsedConfig; errors: Readonly<Record<string, string>> } {
  return validateSinkConfig(DUCKDB_SINK_CONFIG_DEF, raw);
}

/** Parses a task config (raw strings); throws DuckDbSinkConfigError listing every problem. */
export function parseDuckDbSinkConfig(raw: Readonly<Record<string, string>>): DuckDbSinkConfig {
  const { values, errors } = validateDuckDbSinkConfig(raw);
  if (Object.keys(errors).length > 0) throw new DuckDbSinkConfigError(errors);
  return { ...readSinkWriteConfig(values), path: (values['duckdb.path'] as string).trim(), threads: values['duckdb.threads'] as number };
}

/** The absolute path of the database file for `connectorName` (see the top of this file). */
export function databaseFile(config: Pick<DuckDbSinkConfig, 'path'>, connectorName: string, env: NodeJS.ProcessEnv = process.env): string {
  if (config.path !== '') return path.resolve(config.path);
  const dataDir = env.MILLRACE_DATA_DIR !== undefined && env.MILLRACE_DATA_DIR.trim() !== '' ? env.MILLRACE_DATA_DIR : './data';
  return path.resolve(dataDir, 'duckdb', `${connectorName.replace(/[^A-Za-z0-9._-]/g, '_')}.duckdb`);
}
