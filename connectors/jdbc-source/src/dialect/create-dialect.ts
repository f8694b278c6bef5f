import type { ConnectorLogger } from '@millrace/connect-sdk';
import { connectWithRetry, describeJdbcTarget } from '@millrace/jdbc';
import type { JdbcSourceConfig } from '../jdbc-source-config';
import type { Dialect } from './dialect';
import { MySqlDialect } from './mysql-dialect';
import { PostgresDialect } from './postgres-dialect';

/**
 * Builds the dialect for `connection.url` and proves it can connect, trying
 * `connection.attempts` times `connection.backoff.ms` apart (Confluent's semantics,
 * @millrace/jdbc's connectWithRetry). On failure the pool is closed and a
 * JdbcConnectError is thrown, its message naming the database (never the password).
 * `aborted` stops retrying early (task teardown).
 */
export async function connectDialect(
  config: JdbcSourceConfig,
  poolSize: number,
  logger: ConnectorLogger,
  aborted: () => boolean = () => false,
): Promise<Dialect> {
  const opts = {
    host: config.url.host,
    port: config.url.port,
    database: config.url.database,
    user: config.user,
    password: config.password,
    numericMapping: config.numericMapping,
    timePrecisionMode: config.timePrecisionMode,
    poolSize,
  };
  const dialect: Dialect = config.url.driver === 'mysql' ? new MySqlDialect(opts) : new PostgresDialect(opts);
  const retry = { attempts: config.connectionAttempts, backoffMs: config.connectionBackoffMs, target: describeJdbcTarget(config.url), logger, aborted };
  try {
    await connectWithRetry(() => dialect.ping(), retry);
  } catch (err) {
    await dialect.close().catch(() => undefined);
    throw err;
  }
  return dialect;
}
