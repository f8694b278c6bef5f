import type { ConnectorLogger } from '@millrace/connect-sdk';
import { connectWithRetry, describeJdbcTarget } from '@millrace/jdbc';
import type { JdbcSourceConfig } from '../jdbc-source-config';
import type { Dialect } from './dialect';

/**
 * Builds the dialect for `connection.url` and proves it can connect, trying
 * `connection.attempts` times `connection.backoff.ms` apart (Confluent's semantics,
 * @millrace/jdbc's connectWithRetry). On failure the pool is closed and a
 * JdbcConnectError is thrown, its message naming the database (never the password).
 * `aborted` stops retrying early (task teardown).
 *
 * Each dialect's module (and its driver, mysql2 or pg) is loaded only when a URL needs
 * it: a process or task thread copying between Postgres databases never loads mysql2
 * (hundreds of ms of module loading, on the way to a task's first row).
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
  const dialect: Dialect = config.url.driver === 'mysql' ? new (await import('./mysql-dialect')).MySqlDialect(opts) : new (await import('./postgres-dialect')).PostgresDialect(opts);
  const retry = { attempts: config.connectionAttempts, backoffMs: config.connectionBackoffMs, target: describeJdbcTarget(config.url), logger, aborted };
  try {
    await connectWithRetry(() => dialect.ping(), retry);
  } catch (err) {
    await dialect.close().catch(() => undefined);
    throw err;
  }
  return dialect;
}
