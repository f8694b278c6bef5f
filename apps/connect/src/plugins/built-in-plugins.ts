import type { ConnectorPlugin } from '@millrace/connect-sdk';

/**
 * The connectors that ship with Millrace (connectors/), by canonical plugin name, each
 * behind a loader: a task thread runs one task and imports only its own connector (each
 * costs hundreds of ms of module loading), while the worker's PluginRegistry loads them
 * all once at start-up (loadBuiltInPlugins). This table is the one list of built-ins.
 */
export const BUILT_IN_PLUGIN_LOADERS: Readonly<Record<string, () => Promise<ConnectorPlugin>>> = {
  'jdbc-source': async () => (await import('@millrace/jdbc-source')).jdbcSourcePlugin,
  'jdbc-sink': async () => (await import('@millrace/jdbc-sink')).JDBC_SINK_PLUGIN,
  'duckdb-sink': async () => (await import('@millrace/duckdb-sink')).DUCKDB_SINK_PLUGIN,
  'bi-rollup-sink': async () => (await import('@millrace/bi-rollup-sink')).BI_ROLLUP_SINK_PLUGIN,
  'postgres-cdc-source': async () => (await import('@millrace/postgres-cdc-source')).postgresCdcSourcePlugin,
  'mysql-cdc-source': async () => (await import('@millrace/mysql-cdc-source')).mysqlCdcSourcePlugin,
  'mqtt-source': async () => (await import('@millrace/mqtt-source')).mqttSourcePlugin,
  'opcua-source': async () => (await import('@millrace/opcua-source')).opcUaSourcePlugin,
};

/** Every built-in plugin, in the table's order. */
export function loadBuiltInPlugins(): Promise<ConnectorPlugin[]> {
  return Promise.all(Object.values(BUILT_IN_PLUGIN_LOADERS).map((load) => load()));
}
