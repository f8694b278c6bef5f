import type { ConnectorPlugin, ParsedConfig } from '@millrace/connect-sdk';
import { crossFieldErrors, MQTT_SOURCE_CONFIG_DEF } from './mqtt-source-config';
import { MqttSourceConnector } from './mqtt-source-connector';
import { CONNECTOR_VERSION, MqttSourceTask } from './mqtt-source-task';

/**
 * The `mqtt-source` plugin (alias: Confluent's class name): MQTT 3.1.1 and 5 topics into
 * Kafka, each message acknowledged to the MQTT broker only after its record committed.
 */
export const mqttSourcePlugin: ConnectorPlugin = {
  name: 'mqtt-source',
  aliases: ['io.confluent.connect.mqtt.MqttSourceConnector'],
  type: 'source',
  version: CONNECTOR_VERSION,
  configDef: MQTT_SOURCE_CONFIG_DEF,
  validate(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Readonly<Record<string, string>> {
    return crossFieldErrors(config);
  },
  createConnector: () => new MqttSourceConnector(),
  createTask: () => new MqttSourceTask(),
  threadSafeTasks: true,
};
