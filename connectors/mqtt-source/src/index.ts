/**
 * @millrace/mqtt-source — MQTT topics into Kafka through mqtt.js, acknowledging each
 * QoS 1/2 message only after its record is committed. The runtime registers
 * `mqttSourcePlugin`; the rest is exported for tests and tools.
 */
export { mqttSourcePlugin } from './mqtt-source.plugin';
export { MqttSourceTask } from './mqtt-source-task';
export { MQTT_SOURCE_CONFIG_DEF, parseMqttSourceConfig, MqttSourceConfigError, topicFilterProblem, type MqttSourceConfig } from './mqtt-source-config';
export { MqttRecordMapper, MqttPayloadError } from './mqtt-record';
