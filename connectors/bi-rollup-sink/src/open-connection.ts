import { connectWithRetry, describeJdbcTarget, JdbcConnectError } from '@millrace/jdbc';
import { RetriableError } from '@millrace/connect-sdk';
import { errorMessage } from '@millrace/app-common';
import { isRetriableDbError } from '@millrace/jdbc-sink';
import type { BiRollupConfig } from './bi-rollup-config';
import { MysqlRollupConnection } from './dialect/mysql-rollup';
import { PostgresRollupConnection } from './dialect/postgres-rollup';
import type { RollupConnection } from './dialect/rollup-dialect';

/**
 * One connection to the rollups' database: Postgres (pg), MySQL/MariaDB (mysql2) or an
 * embedded DuckDB file, after connection.attempts tries connection.backoff.ms apart. A
 * connection problem is raised as RetriableError (the runtime retries the task), naming
 * the target without credentials. DuckDB's native module (tens of MB) is loaded only
 * when a connector targets DuckDB, so that it costs the worker's start-up nothing.
 */
export function describeTarget(config: BiRollupConfig): string {
  return config.target.kind === 'duckdb' ? `DuckDB ${config.target.path}` : describeJdbcTarget(config.target.jdbc.url);
}

export async function openRollupConnection(config: BiRollupConfig, logger?: { warn(message: string): void }): Promise<RollupConnection> {
  const target = config.target;
  const open = async (): Promise<RollupConnection> => {
    if (target.kind === 'duckdb') return (await import('./dialect/duckdb-rollup')).DuckDbRollupConnection.open(target.path, config.decimalScale);
    const { url, user, password } = target.jdbc;
    const options = { host: url.host, port: url.port, database: url.database, user, password };
    return url.driver === 'postgres' ? PostgresRollupConnection.open(options) : MysqlRollupConnection.open(options, config.decimalScale);
  };
  try {
    return await connectWithRetry(open, { attempts: config.connectionAttempts, backoffMs: config.connectionBackoffMs, target: describeTarget(config), logger });
  } catch (err) {
    const cause = err instanceof JdbcConnectError ? err.cause : err;
    if (isRetriableDbError(cause)) throw new RetriableError(`bi-rollup-sink: cannot connect to ${describeTarget(config)}: ${errorMessage(cause)}`, { cause });
    throw cause;
  }
}
