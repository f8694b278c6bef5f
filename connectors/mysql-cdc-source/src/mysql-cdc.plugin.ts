import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { crossFieldErrors, MYSQL_CDC_CONFIG_DEF } from './mysql-cdc-config';
import { MySqlCdcConnector } from './mysql-cdc-connector';
import { CONNECTOR_VERSION, MySqlCdcTask } from './mysql-cdc-task';
import { mysqlCdcReconcileSource } from './reconcile-source';
import { sendMySqlSignal } from './incremental-snapshot';

/**
 * The `mysql-cdc-source` plugin (aliases: Debezium's MySQL and MariaDB class names):
 * change data capture from the MySQL/MariaDB binlog, with Debezium's configuration keys
 * and change events.
 */
export const mysqlCdcSourcePlugin: ConnectorPlugin = {
  name: 'mysql-cdc-source',
  aliases: ['io.debezium.connector.mysql.MySqlConnector', 'io.debezium.connector.mariadb.MariaDbConnector'],
  type: 'source',
  version: CONNECTOR_VERSION,
  configDef: MYSQL_CDC_CONFIG_DEF,
  validate(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Readonly<Record<string, string>> {
    return crossFieldErrors(config);
  },
  createConnector: () => new MySqlCdcConnector(),
  createTask: () => new MySqlCdcTask(),
  threadSafeTasks: true,
  reconcileSource: mysqlCdcReconcileSource,
  sendSignal: sendMySqlSignal,
};
