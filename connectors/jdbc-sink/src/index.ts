/** @millrace/jdbc-sink: the `jdbc-sink` connector plugin and its parts. */
export { JDBC_SINK_PLUGIN } from './jdbc-sink.plugin';
export { JDBC_SINK_PLUGIN as default } from './jdbc-sink.plugin';
export { JdbcSinkTask } from './jdbc-sink-task';
export { JdbcSinkConnector } from './jdbc-sink-connector';
export { JDBC_SINK_CONFIG_DEF, parseJdbcSinkConfig, validateJdbcSinkConfig, type JdbcSinkConfig, type InsertMode, type PkMode } from './jdbc-sink-config';
export { parseJdbcUrl, type JdbcUrl } from '@millrace/jdbc';
export { RetriableError, isRetriableDbError } from './errors';
export { OFFSETS_TABLE } from './offset-store';
