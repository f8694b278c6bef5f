import { Inject, Injectable } from '@nestjs/common';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { validateConnectorConfig, type ConnectorValidation } from './connector-config-validator';
import { JDBC_SINK_PLUGIN } from '../../../../connectors/jdbc-sink/src';
import { jdbcSourcePlugin } from '../../../../connectors/jdbc-source/src';
import { createInMemorySinkPlugin, createInMemorySourcePlugin, InMemorySinkStore, InMemorySourceStore } from '@millrace/connect-sdk/testing';
import { FAKE_SINK_PLUGIN, FAKE_SOURCE_PLUGIN } from './runtime-test-plugins';

/**
 * The connector plugins this worker can run. A plugin is found by its name, one of its
 * aliases, or the simple name of either (the part after the last '.'), as Kafka
 * Connect resolves `connector.class`. Registered: the JDBC source and sink
 * (connectors/); with MILLRACE_CONNECT_TEST_PLUGINS=true also connect-sdk's in-memory
 * plugins (InMemorySource, InMemorySink, each over a process-wide store) and the
 * runtime's test plugins (FakeSource, FakeSink; runtime-test-plugins.ts).
 */
@Injectable()
export class PluginRegistry {
  private readonly plugins: ConnectorPlugin[];

  constructor(@Inject(CONNECT_CONFIG) config: ConnectConfig) {
    const testPlugins = config.testPlugins
      ? [createInMemorySourcePlugin(new InMemorySourceStore()), createInMemorySinkPlugin(new InMemorySinkStore()), FAKE_SOURCE_PLUGIN, FAKE_SINK_PLUGIN]
      : [];
    this.plugins = [jdbcSourcePlugin, JDBC_SINK_PLUGIN, ...testPlugins];
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
    return validateConnectorConfig(plugin, config);
  }
}
