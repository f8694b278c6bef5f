import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { crossFieldErrors, JDBC_SOURCE_CONFIG_DEF } from './jdbc-source-config';
import { JdbcSourceConnector } from './jdbc-source-connector';
import { JdbcSourceTask } from './jdbc-source-task';
import { jdbcSourceReconcileSource } from './reconcile-source';

/**
 * The `jdbc-source` plugin (alias: Confluent's class name), polling MySQL, MariaDB and
 * Postgres tables with the configuration of Confluent's JDBC source connector.
 * `validate` returns the cross-key problems (key -> message); per-key checks live in the
 * ConfigDef.
 */
export const jdbcSourcePlugin: ConnectorPlugin = {
  name: 'jdbc-source',
  aliases: ['io.confluent.connect.jdbc.JdbcSourceConnector'],
  type: 'source',
  version: '0.1.0',
  configDef: JDBC_SOURCE_CONFIG_DEF,
  validate(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Readonly<Record<string, string>> {
    return crossFieldErrors(config);
  },
  createConnector: () => new JdbcSourceConnector(),
  createTask: () => new JdbcSourceTask(),
  threadSafeTasks: true,
  reconcileSource: jdbcSourceReconcileSource,
};
