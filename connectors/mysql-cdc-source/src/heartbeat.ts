import type { ConnectSchema, SourceRecord } from '@millrace/connect-sdk';

/**
 * Debezium's heartbeat record: topic `__debezium-heartbeat.<topic.prefix>`, key
 * `{serverName}` (io.debezium.connector.common.ServerNameKey), value `{ts_ms}`
 * (io.debezium.connector.common.Heartbeat), carrying the connector's current offset.
 */
const KEY_SCHEMA: ConnectSchema = { type: 'struct', optional: false, name: 'io.debezium.connector.common.ServerNameKey', fields: [{ name: 'serverName', index: 0, schema: { type: 'string', optional: false } }] };
const VALUE_SCHEMA: ConnectSchema = { type: 'struct', optional: false, name: 'io.debezium.connector.common.Heartbeat', fields: [{ name: 'ts_ms', index: 0, schema: { type: 'int64', optional: false } }] };

export function heartbeatTopic(topicPrefix: string): string {
  return `__debezium-heartbeat.${topicPrefix}`;
}

export function heartbeatRecord(topicPrefix: string, partition: Readonly<Record<string, unknown>>, offset: Readonly<Record<string, unknown>>, now: number = Date.now()): SourceRecord {
  return {
    topic: heartbeatTopic(topicPrefix),
    kafkaPartition: null,
    keySchema: KEY_SCHEMA,
    key: { serverName: topicPrefix },
    valueSchema: VALUE_SCHEMA,
    value: { ts_ms: now },
    timestamp: now,
    headers: [],
    sourcePartition: partition,
    sourceOffset: offset,
  };
}
