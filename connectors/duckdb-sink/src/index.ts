/** @millrace/duckdb-sink: the `duckdb-sink` connector plugin and its parts. */
export { DUCKDB_SINK_PLUGIN } from './duckdb-sink.plugin';
export { DUCKDB_SINK_PLUGIN as default } from './duckdb-sink.plugin';
export { DuckDbSinkConnector } from './duckdb-sink-connector';
export { DUCKDB_SINK_CONFIG_DEF, parseDuckDbSinkConfig, validateDuckDbSinkConfig, databaseFile, DuckDbSinkConfigError, type DuckDbSinkConfig } from './duckdb-sink-config';
export { acquireFileLock, DuckDbFileBusyError, type FileLock } from './duckdb-file-lock';
