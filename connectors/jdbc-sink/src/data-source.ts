import { DataSource } from 'typeorm';
import type { ConnectorLogger } from '@millrace/connect-sdk';
import { classifyDbError } from './errors';
import type { JdbcSinkConfig } from './jdbc-sink-config';

/**
 * Opens the TypeORM DataSource for a sink task: no entities, no synchronize, a small
 * pool (the task uses one QueryRunner). MySQL/MariaDB sessions run in UTC and return
 * BIGINT/DECIMAL as strings. Tries `connection.attempts` times, waiting
 * `connection.backoff.ms` between tries; the last failure is thrown (RetriableError when
 * it is a connection problem).
 */
export async function openDataSource(config: JdbcSinkConfig, logger?: Pick<ConnectorLogger, 'warn'>): Promise<DataSource> {
  const { url } = config;
  const common = {
    host: url.host,
    port: url.port,
    database: url.database,
    username: config.user,
    password: config.password,
    entities: [],
    synchronize: false,
    logging: false,
    poolSize: 2,
  };
  let lastError: unknown;
  for (let attempt = 1; attempt <= config.connectionAttempts; attempt++) {
    const ds =
      url.driver === 'postgres'
        ? new DataSource({ ...common, type: 'postgres', applicationName: 'millrace-jdbc-sink' })
        : new DataSource({ ...common, type: url.subprotocol === 'mariadb' ? 'mariadb' : 'mysql', timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true });
    try {
      await ds.initialize();
      return ds;
    } catch (err) {
      lastError = err;
      logger?.warn(`jdbc-sink: connecting to ${url.host}:${url.port}/${url.database} failed (attempt ${attempt}/${config.connectionAttempts}): ${String(err)}`);
      if (attempt < config.connectionAttempts) await new Promise((resolve) => setTimeout(resolve, config.connectionBackoffMs));
    }
  }
  throw classifyDbError(lastError, `cannot connect to ${url.host}:${url.port}/${url.database}`);
}
