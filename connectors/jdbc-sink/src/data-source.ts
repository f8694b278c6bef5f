import { DataSource } from 'typeorm';
import type { ConnectorLogger } from '@millrace/connect-sdk';
import { connectWithRetry, describeJdbcTarget, JdbcConnectError } from '@millrace/jdbc';
import { classifyDbError } from './errors';
import type { JdbcSinkConfig } from './jdbc-sink-config';

/**
 * Opens the TypeORM DataSource for a sink task: no entities, no synchronize, a small
 * pool (the task uses one QueryRunner). MySQL/MariaDB sessions run in UTC and return
 * BIGINT/DECIMAL as strings. Tries `connection.attempts` times, waiting
 * `connection.backoff.ms` between tries (@millrace/jdbc's connectWithRetry), a new
 * DataSource each try; the last failure is thrown (RetriableError when it is a
 * connection problem).
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
  const target = describeJdbcTarget(url);
  const open = async (): Promise<DataSource> => {
    const ds =
      url.driver === 'postgres'
        ? new DataSource({ ...common, type: 'postgres', applicationName: 'millrace-jdbc-sink' })
        : new DataSource({ ...common, type: url.subprotocol === 'mariadb' ? 'mariadb' : 'mysql', timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true });
    return ds.initialize();
  };
  try {
    return await connectWithRetry(open, { attempts: config.connectionAttempts, backoffMs: config.connectionBackoffMs, target, logger });
  } catch (err) {
    throw err instanceof JdbcConnectError ? classifyDbError(err.cause, `cannot connect to ${target}`) : err;
  }
}
