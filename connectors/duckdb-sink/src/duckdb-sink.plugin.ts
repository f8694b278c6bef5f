import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { sinkWriteCrossFieldErrors } from '@millrace/sink-rows';
import { DuckDbSinkConnector } from './duckdb-sink-connector';
import { DUCKDB_SINK_CONFIG_DEF } from './duckdb-sink-config';
import { LazyDuckDbSinkTask } from './lazy-duckdb-sink-task';

/**
 * Plugin `duckdb-sink`: Kafka topics -> tables of an embedded DuckDB file (the warehouse
 * of a team that runs no database server), exactly once through the file's
 * millrace_sink_offsets table. Debezium change events are applied directly (inserts,
 * updates, deletes), flat records as the JDBC sink writes them. `validate` adds the
 * cross-field rules shared with the JDBC sink to the runtime's per-key checks. DuckDB
 * itself is loaded only when a task opens (lazy-duckdb-sink-task.ts).
 */
export const DUCKDB_SINK_PLUGIN: ConnectorPlugin = {
  name: 'duckdb-sink',
  aliases: ['io.millrace.connect.duckdb.DuckDbSinkConnector'],
  type: 'sink',
  version: '0.1.0',
  configDef: DUCKDB_SINK_CONFIG_DEF,
  validate(_config: Readonly<Record<string, string>>, parsed: ParsedConfig): Readonly<Record<string, string>> {
    return sinkWriteCrossFieldErrors(parsed);
  },
  createConnector: () => new DuckDbSinkConnector(),
  createTask: () => new LazyDuckDbSinkTask(),
  threadSafeTasks: true,
};
