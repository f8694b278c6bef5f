/**
 * @millrace/opcua-source — OPC UA data changes into Kafka through node-opcua (2.182.x,
 * the last line on Node 20). The runtime registers `opcUaSourcePlugin`; the rest is
 * exported for tests and tools.
 */
export { opcUaSourcePlugin } from './opcua-source.plugin';
export { OpcUaSourceTask } from './opcua-source-task';
export { OPCUA_SOURCE_CONFIG_DEF, parseOpcUaSourceConfig, OpcUaSourceConfigError, type OpcUaSourceConfig } from './opcua-source-config';
export { toRecord, alreadyRecorded, valueText, DATA_CHANGE_SCHEMA, type DataChange } from './opcua-record';
