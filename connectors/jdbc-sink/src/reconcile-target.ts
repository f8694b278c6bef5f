import type { ReconcileTargetFacet, SqlTableRef } from '@millrace/connect-sdk';
import { jdbcTableRef } from '@millrace/jdbc';
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
    return jdbcTableRef(config, dot > 0 ? qualified.slice(0, dot) : null, dot > 0 ? qualified.slice(dot + 1) : qualified);
  },
};
