import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { crossFieldErrors, POSTGRES_CDC_CONFIG_DEF } from './postgres-cdc-config';
import { PostgresCdcConnector } from './postgres-cdc-connector';
import { CONNECTOR_VERSION, PostgresCdcTask } from './postgres-cdc-task';
import { postgresCdcReconcileSource } from './reconcile-source';
import { sendPostgresSignal } from './signal-sender';

/**
 * The `postgres-cdc-source` plugin (alias: Debezium's class name): change data capture
 * from PostgreSQL through a pgoutput replication slot, with Debezium's configuration
 * keys and change events.
 */
export const postgresCdcSourcePlugin: ConnectorPlugin = {
  name: 'postgres-cdc-source',
  aliases: ['io.debezium.connector.postgresql.PostgresConnector'],
  type: 'source',
  version: CONNECTOR_VERSION,
  configDef: POSTGRES_CDC_CONFIG_DEF,
  validate(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Readonly<Record<string, string>> {
    return crossFieldErrors(config);
  },
  createConnector: () => new PostgresCdcConnector(),
  createTask: () => new PostgresCdcTask(),
  threadSafeTasks: true,
  reconcileSource: postgresCdcReconcileSource,
  sendSignal: sendPostgresSignal,
};
