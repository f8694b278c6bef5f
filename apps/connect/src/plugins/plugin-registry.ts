import { Inject, Injectable } from '@nestjs/common';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { ClusterInfoService } from '../cluster/cluster-info.service';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { validateConnectorConfig, type ConnectorValidation } from './connector-config-validator';
import { loadPluginModules } from './plugin-modules';
import { BUILT_IN_PLUGINS } from './built-in-plugins.provider';

/**
 * The connector plugins this worker can run. A plugin is found by its name, one of its
 * aliases, or the simple name of either (the part after the last '.'), as Kafka
 * Connect resolves `connector.class`. Registered: the built-in connectors
 * (built-in-plugins.ts), then the plugins of the modules MILLRACE_CONNECT_PLUGIN_MODULES names
 * (plugin-modules.ts; the integration tests' plugins come this way). A module that
 * cannot be loaded stops start-up.
 */
@Injectable()
export class PluginRegistry {
  private readonly plugins: ConnectorPlugin[];

  constructor(
    @Inject(CONNECT_CONFIG) config: ConnectConfig,
    private readonly cluster: ClusterInfoService,
    @Inject(BUILT_IN_PLUGINS) builtIn: ConnectorPlugin[],
  ) {
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
