import type { JdbcDialectName } from '../jdbc-url';
import { MySqlSinkDialect } from './mysql-sink-dialect';
import { PostgresSinkDialect } from './postgres-sink-dialect';
import type { SinkDialect } from './sink-dialect';

export * from './sink-dialect';
export { PostgresSinkDialect } from './postgres-sink-dialect';
export { MySqlSinkDialect } from './mysql-sink-dialect';

/** The dialect for a parsed connection URL (MariaDB shares MySQL's). */
export function dialectFor(name: JdbcDialectName): SinkDialect {
  return name === 'postgres' ? new PostgresSinkDialect() : new MySqlSinkDialect();
}
