/**
 * @millrace/jdbc: the database plumbing every JDBC connector shares — the JDBC source and
 * sink today, the Postgres and MySQL change-data-capture connectors next. A connector
 * builds on it in four steps:
 *
 * 1. Config: put `jdbcConnectionConfigKeys({ group })` (connection.url, connection.user,
 *    connection.password, connection.attempts, connection.backoff.ms, Confluent's names
 *    and defaults) into its ConfigDef, parse with connect-sdk's parser, and read the
 *    settings with `readJdbcConnectionConfig(parsed)`.
 * 2. URL: `parseJdbcUrl` turns connection.url into the driver (mysql2 for MySQL/MariaDB,
 *    pg for Postgres), host, port, database and URL credentials; `describeJdbcTarget`
 *    names the database in messages without credentials.
 * 3. Connect: `connectWithRetry(tryOnce, { attempts, backoffMs, target, logger })` makes
 *    up to connection.attempts tries connection.backoff.ms apart and throws a
 *    `JdbcConnectError` (cause: the last failure) when none succeeds.
 * 4. SQL: `quoteIdentifier` / `quoteQualifiedName` quote names per driver (backticks or
 *    double quotes, always quoted), `bindPlaceholder` spells a bind parameter (`?`/`$n`).
 *
 * Drivers themselves (pools, sessions, type mapping) stay with each connector.
 */
export { parseJdbcUrl, redact, describeJdbcTarget, JdbcUrlError, type JdbcUrl, type JdbcDriver } from './jdbc-url';
export {
  jdbcConnectionConfigKeys,
  readJdbcConnectionConfig,
  jdbcTableRef,
  CONNECTION_URL_CONFIG,
  CONNECTION_USER_CONFIG,
  CONNECTION_PASSWORD_CONFIG,
  CONNECTION_ATTEMPTS_CONFIG,
  CONNECTION_BACKOFF_MS_CONFIG,
  type JdbcConnectionConfig,
  type JdbcConnectionKeysOptions,
} from './connection-config';
export { connectWithRetry, JdbcConnectError, type ConnectRetryOptions } from './connect-retry';
export { quoteIdentifier, quoteQualifiedName, bindPlaceholder } from './sql-syntax';
export {
  TIME_PRECISION_MODES,
  DEFAULT_TIME_PRECISION_MODE,
  DEBEZIUM_DATE,
  DEBEZIUM_TIME,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_ZONED_TIMESTAMP,
  DEBEZIUM_ZONED_TIME,
  daysToSqlDate,
  microsToSqlTimestamp,
  microsToSqlTime,
  microsToZonedTimestamp,
  zonedTimestampToUtcSql,
  zonedTimestampToMicros,
  type TimePrecisionMode,
} from './temporal-types';
