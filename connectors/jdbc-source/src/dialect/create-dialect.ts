import type { ConnectorLogger } from '@millrace/connect-sdk';
import type { JdbcSourceConfig } from '../jdbc-source-config';
import type { Dialect } from './dialect';
import { MySqlDialect } from './mysql-dialect';
import { PostgresDialect } from './postgres-dialect';

/**
 * Builds the dialect for `connection.url` and proves it can connect, trying
 * `connection.attempts` times `connection.backoff.ms` apart (Confluent's semantics).
 * On failure the pool is closed and the last error is thrown, its message naming the
 * host and port (never the password). `aborted` stops retrying early (task teardown).
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
    poolSize,
  };
  const dialect: Dialect = config.url.driver === 'mysql' ? new MySqlDialect(opts) : new PostgresDialect(opts);
  const where = `${config.url.subprotocol}://${config.url.host}:${config.url.port}/${config.url.database}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await dialect.ping();
      return dialect;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= config.connectionAttempts || aborted()) {
        await dialect.close().catch(() => undefined);
        throw new Error(`cannot connect to ${where} after ${attempt} attempt(s): ${message}`);
      }
      logger.warn(`connecting to ${where} failed (attempt ${attempt}/${config.connectionAttempts}): ${message}; retrying in ${config.connectionBackoffMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, config.connectionBackoffMs));
    }
  }
}
