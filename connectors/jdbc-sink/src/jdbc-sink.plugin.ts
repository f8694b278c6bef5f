import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { JdbcSinkConnector } from './jdbc-sink-connector';
import { JDBC_SINK_CONFIG_DEF, jdbcSinkCrossFieldErrors } from './jdbc-sink-config';
import { JdbcSinkTask } from './jdbc-sink-task';
import { jdbcSinkReconcileTarget } from './reconcile-target';

/**
 * Plugin `jdbc-sink` (alias Confluent's io.confluent.connect.jdbc.JdbcSinkConnector):
 * Kafka topics -> PostgreSQL / MySQL / MariaDB tables, exactly once through the
 * millrace_sink_offsets table. `validate` adds the cross-field rules of
 * jdbc-sink-config.ts to the runtime's per-key checks (it sees the runtime's parsed values).
 */
export const JDBC_SINK_PLUGIN: ConnectorPlugin = {
  name: 'jdbc-sink',
  aliases: ['io.confluent.connect.jdbc.JdbcSinkConnector'],
  type: 'sink',
  version: '0.1.0',
  configDef: JDBC_SINK_CONFIG_DEF,
  validate(_config: Readonly<Record<string, string>>, parsed: ParsedConfig): Readonly<Record<string, string>> {
    return jdbcSinkCrossFieldErrors(parsed);
  },
  createConnector: () => new JdbcSinkConnector(),
  createTask: () => new JdbcSinkTask(),
  threadSafeTasks: true,
  reconcileTarget: jdbcSinkReconcileTarget,
};
