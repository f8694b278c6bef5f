/**
 * @millrace/jdbc-source — Confluent-compatible JDBC source for MySQL, MariaDB and
 * Postgres. The runtime registers `jdbcSourcePlugin`; the rest is exported for tests and
 * tools.
 */
export { jdbcSourcePlugin } from './jdbc-source.plugin';
export { JdbcSourceConnector } from './jdbc-source-connector';
export { JdbcSourceTask } from './jdbc-source-task';
export {
  JDBC_SOURCE_CONFIG_DEF,
  parseJdbcSourceConfig,
  JdbcSourceConfigError,
  type JdbcSourceConfig,
  type JdbcSourceMode,
  type NumericMapping,
  type TableRef,
} from './jdbc-source-config';
export { parseJdbcUrl, JdbcUrlError, type JdbcUrl } from '@millrace/jdbc';
