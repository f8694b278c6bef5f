import type { ReconcileTargetFacet, SqlTableRef } from '@millrace/connect-sdk';
import { parseJdbcSinkConfig, tableNameFor } from './jdbc-sink-config';

/**
 * The table records of `topic` (as the sink's transforms leave it) land in, for
 * reconciliation: `table.name.format` with the topic put in (a `schema.table` name is
 * split at its last dot).
 */
export const jdbcSinkReconcileTarget: ReconcileTargetFacet = {
  targetTable(raw, topic): SqlTableRef | null {
    const config = parseJdbcSinkConfig(raw);
    const qualified = tableNameFor(config.tableNameFormat, topic);
    const dot = qualified.lastIndexOf('.');
    const url = config.url;
    return {
      dialect: url.driver,
      host: url.host,
      port: url.port,
      database: url.database,
      user: config.user,
      password: config.password,
      schema: dot > 0 ? qualified.slice(0, dot) : null,
      table: dot > 0 ? qualified.slice(dot + 1) : qualified,
    };
  },
};
