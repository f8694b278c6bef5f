import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { createInMemorySinkPlugin, createInMemorySourcePlugin, InMemorySinkStore, InMemorySourceStore } from '@millrace/connect-sdk/testing';
import { FAKE_SINK_PLUGIN, FAKE_SOURCE_PLUGIN } from './runtime-test-plugins';

/**
 * The plugin module of the runtime's integration tests: libs/testing's startConnect names
 * its compiled file (dist/apps/connect/test/support/test-plugin-module.js) in
 * MILLRACE_CONNECT_PLUGIN_MODULES when a test asks for MILLRACE_CONNECT_TEST_PLUGINS=true,
 * and the worker registers these plugins next to the built-in ones: connect-sdk's
 * in-memory plugins (InMemorySource, InMemorySink, each over a store of this process) and
 * the runtime's test plugins (FakeSource, FakeSink; runtime-test-plugins.ts).
 */
export const connectorPlugins: ConnectorPlugin[] = [
  createInMemorySourcePlugin(new InMemorySourceStore()),
  createInMemorySinkPlugin(new InMemorySinkStore()),
  FAKE_SOURCE_PLUGIN,
  FAKE_SINK_PLUGIN,
];
