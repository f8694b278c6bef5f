import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { crossFieldErrors, OPCUA_SOURCE_CONFIG_DEF } from './opcua-source-config';
import { OpcUaSourceConnector } from './opcua-source-connector';
import { CONNECTOR_VERSION, OpcUaSourceTask } from './opcua-source-task';

/** The `opcua-source` plugin: OPC UA monitored items (data changes) into Kafka through node-opcua. */
export const opcUaSourcePlugin: ConnectorPlugin = {
  name: 'opcua-source',
  aliases: [],
  type: 'source',
  version: CONNECTOR_VERSION,
  configDef: OPCUA_SOURCE_CONFIG_DEF,
  validate(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Readonly<Record<string, string>> {
    return crossFieldErrors(config);
  },
  createConnector: () => new OpcUaSourceConnector(),
  createTask: () => new OpcUaSourceTask(),
  threadSafeTasks: true,
};
