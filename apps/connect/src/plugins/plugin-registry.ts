import { Inject, Injectable } from '@nestjs/common';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { ClusterInfoService } from '../cluster/cluster-info.service';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { validateConnectorConfig, type ConnectorValidation } from './connector-config-validator';
import { loadPluginModules } from './plugin-modules';
import { DUCKDB_SINK_PLUGIN } from '@millrace/duckdb-sink';
import { JDBC_SINK_PLUGIN } from '@millrace/jdbc-sink';
import { jdbcSourcePlugin } from '@millrace/jdbc-source';
import { postgresCdcSourcePlugin } from '@millrace/postgres-cdc-source';
import { mqttSourcePlugin } from '@millrace/mqtt-source';
import { opcUaSourcePlugin } from '@millrace/opcua-source';
import { mysqlCdcSourcePlugin } from '@millrace/mysql-cdc-source';
import { BI_ROLLUP_SINK_PLUGIN } from '@millrace/bi-rollup-sink';

/**
 * The connector plugins this worker can run. A plugin is found by its name, one of its
 * aliases, or the simple name of either (the part after the last '.'), as Kafka
 * Connect resolves `connector.class`. Registered: the JDBC source and sink, the DuckDB and BI rollup sinks, the
 * Postgres and MySQL/MariaDB CDC sources, the MQTT and the OPC UA sources (connectors/), then the plugins of the modules MILLRACE_CONNECT_PLUGIN_MODULES names
 * (plugin-modules.ts; the integration tests' plugins come this way). A module that
 * cannot be loaded stops start-up.
 */
@Injectable()
export class PluginRegistry {
  private readonly plugins: ConnectorPlugin[];

  constructor(
    @Inject(CONNECT_CONFIG) config: ConnectConfig,
    private readonly cluster: ClusterInfoService,
  ) {
    const builtIn = [jdbcSourcePlugin, JDBC_SINK_PLUGIN, DUCKDB_SINK_PLUGIN, BI_ROLLUP_SINK_PLUGIN, postgresCdcSourcePlugin, mysqlCdcSourcePlugin, mqttSourcePlugin, opcUaSourcePlugin];
    this.plugins = [...builtIn, ...loadPluginModules(config.pluginModules, builtIn)];
  }

  /** Plugins sorted by name. */
  list(): ConnectorPlugin[] {
    return [...this.plugins].sort((a, b) => a.name.localeCompare(b.name));
  }

  find(className: string): ConnectorPlugin | undefined {
    const simple = (s: string) => s.slice(s.lastIndexOf('.') + 1);
    return (
      this.plugins.find((p) => p.name === className || p.aliases.includes(className)) ??
      this.plugins.find((p) => simple(p.name) === simple(className) || p.aliases.some((a) => simple(a) === simple(className)))
    );
  }

  validate(plugin: ConnectorPlugin, config: Readonly<Record<string, string>>): ConnectorValidation {
    return validateConnectorConfig(plugin, config, { exactlyOnceSource: this.cluster.exactlyOnceSource });
  }
}
