import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { BI_ROLLUP_CONFIG_DEF, rollupConfigErrors } from './bi-rollup-config';
import { BiRollupSinkConnector } from './bi-rollup-sink-connector';
import { BiRollupSinkTask } from './bi-rollup-sink-task';

/**
 * Plugin `bi-rollup-sink`: BI tables (counts, sums, averages, extremes, distinct counts
 * per group and time bucket) kept up to date from change records in PostgreSQL,
 * MySQL/MariaDB or DuckDB, exactly once. `validate` checks the rollup.* keys.
 */
export const BI_ROLLUP_SINK_PLUGIN: ConnectorPlugin = {
  name: 'bi-rollup-sink',
  aliases: ['io.millrace.connect.rollup.BiRollupSinkConnector'],
  type: 'sink',
  version: '0.1.0',
  configDef: BI_ROLLUP_CONFIG_DEF,
  validate(config: Readonly<Record<string, string>>, parsed: ParsedConfig): Readonly<Record<string, string>> {
    return rollupConfigErrors(config, parsed);
  },
  createConnector: () => new BiRollupSinkConnector(),
  createTask: () => new BiRollupSinkTask(),
  threadSafeTasks: true,
};
