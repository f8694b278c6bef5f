import type { JdbcUrl } from '@millrace/jdbc';
import { MySqlSinkDialect } from './mysql-sink-dialect';
import { PostgresSinkDialect } from './postgres-sink-dialect';
import type { SinkDialect } from './sink-dialect';

export * from './sink-dialect';
export { PostgresSinkDialect } from './postgres-sink-dialect';
export { MySqlSinkDialect } from './mysql-sink-dialect';

/** The dialect for a parsed connection URL (MariaDB shares MySQL's). */
export function dialectFor(url: JdbcUrl): SinkDialect {
  return url.driver === 'postgres' ? new PostgresSinkDialect() : new MySqlSinkDialect();
}
