import { TIMESTAMP_LOGICAL, type ConnectSchema, type SourceRecord } from '@millrace/connect-sdk';

/**
 * One OPC UA data change (a monitored item's DataValue) as a source record.
 *
 * - key: the node id as configured or browsed (string), so a compacted topic keeps the
 *   last value of every variable;
 * - value: struct `opcua.DataChange` — `node_id`, `data_type` (OPC UA built-in type name,
 *   e.g. Double, Boolean, String), `value` (text: numbers and booleans as written, strings
 *   as is, arrays and structures as JSON), `value_double` (numbers and booleans as a
 *   double, else null), `status_code` (name, e.g. Good, BadCommunicationError),
 *   `status_code_value` (the 32-bit code), `source_timestamp`, `server_timestamp`
 *   (Connect Timestamps, ms; null when the server sends none);
 * - timestamp: the source timestamp, else the server's, else the time of receipt;
 * - sourcePartition `{ endpoint, node }`, sourceOffset `{ source_ts, value }`: the last
 *   change of the variable that reached Kafka. After a restart the server sends every
 *   variable's current value again; a change whose source timestamp and value equal the
 *   stored ones (or whose source timestamp is older) is that repetition and is dropped.
 */
export interface DataChange {
  readonly nodeId: string;
  readonly dataType: string;
  readonly value: unknown;
  readonly statusCode: string;
  readonly statusCodeValue: number;
  readonly sourceTimestamp: Date | null;
  readonly serverTimestamp: Date | null;
}

const optional = (type: ConnectSchema['type']): ConnectSchema => ({ type, optional: true });
const TIMESTAMP: ConnectSchema = { type: 'int64', optional: true, name: TIMESTAMP_LOGICAL, version: 1 };
export const DATA_CHANGE_SCHEMA: ConnectSchema = {
  type: 'struct',
  optional: false,
  name: 'opcua.DataChange',
  fields: [
    { name: 'node_id', index: 0, schema: { type: 'string', optional: false } },
    { name: 'data_type', index: 1, schema: { type: 'string', optional: false } },
    { name: 'value', index: 2, schema: optional('string') },
    { name: 'value_double', index: 3, schema: optional('float64') },
    { name: 'status_code', index: 4, schema: { type: 'string', optional: false } },
    { name: 'status_code_value', index: 5, schema: { type: 'int64', optional: false } },
    { name: 'source_timestamp', index: 6, schema: TIMESTAMP },
    { name: 'server_timestamp', index: 7, schema: TIMESTAMP },
  ],
};
const KEY_SCHEMA: ConnectSchema = { type: 'string', optional: false };

/** The text form of a value (see the header); null stays null. */
export function valueText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function valueDouble(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

export function toRecord(change: DataChange, endpoint: string, topic: string, receivedAt: number): SourceRecord {
  const text = valueText(change.value);
  const ts = change.sourceTimestamp ?? change.serverTimestamp;
  return {
    topic,
    kafkaPartition: null,
    keySchema: KEY_SCHEMA,
    key: change.nodeId,
    valueSchema: DATA_CHANGE_SCHEMA,
    value: {
      node_id: change.nodeId,
      data_type: change.dataType,
      value: text,
      value_double: valueDouble(change.value),
      status_code: change.statusCode,
      status_code_value: change.statusCodeValue,
      source_timestamp: change.sourceTimestamp,
      server_timestamp: change.serverTimestamp,
    },
    timestamp: ts ? ts.getTime() : receivedAt,
    headers: [],
    sourcePartition: { endpoint, node: change.nodeId },
    sourceOffset: { source_ts: change.sourceTimestamp?.getTime() ?? null, value: text },
  };
}

/**
 * Whether `change` was already recorded according to the stored offset of its variable
 * (see the header): older than it, or the same source timestamp and value.
 */
export function alreadyRecorded(change: DataChange, stored: Readonly<Record<string, unknown>> | null): boolean {
  if (!stored || typeof stored.source_ts !== 'number' || !change.sourceTimestamp) return false;
  const ts = change.sourceTimestamp.getTime();
  return ts < stored.source_ts || (ts === stored.source_ts && valueText(change.value) === stored.value);
}
