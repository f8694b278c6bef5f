import type { ConnectField, ConnectSchema } from '../record/connect-schema';
import type { SinkRecord, SourceRecord } from '../record/connect-record';

/**
 * Small builders for tests of transforms, converters, connectors and the runtime. Each
 * returns a complete record with neutral defaults that the overrides replace.
 */
export function sourceRecord(overrides: Partial<SourceRecord> = {}): SourceRecord {
  return {
    topic: 'topic',
    kafkaPartition: null,
    keySchema: null,
    key: null,
    valueSchema: null,
    value: null,
    timestamp: null,
    headers: [],
    sourcePartition: {},
    sourceOffset: {},
    ...overrides,
  };
}

/** A sink record; unless overridden, its `original*` fields equal `topic`, `kafkaPartition` and `kafkaOffset` (no transform ran). */
export function sinkRecord(overrides: Partial<SinkRecord> = {}): SinkRecord {
  const topic = overrides.topic ?? 'topic';
  const kafkaPartition = overrides.kafkaPartition ?? 0;
  const kafkaOffset = overrides.kafkaOffset ?? 0;
  return {
    topic,
    kafkaPartition,
    kafkaOffset,
    originalTopic: topic,
    originalKafkaPartition: kafkaPartition,
    originalKafkaOffset: kafkaOffset,
    keySchema: null,
    key: null,
    valueSchema: null,
    value: null,
    timestamp: null,
    headers: [],
    ...overrides,
  };
}

/** A struct schema from `[name, schema]` pairs, fields indexed in order. */
export function structSchema(fields: ReadonlyArray<readonly [string, ConnectSchema]>, extra: Partial<Omit<ConnectSchema, 'type' | 'fields'>> = {}): ConnectSchema {
  const built: ConnectField[] = fields.map(([name, schema], index) => ({ name, index, schema }));
  return { type: 'struct', optional: false, ...extra, fields: built };
}

/** A primitive schema, required unless `optional`. */
export function primitiveSchema(type: Exclude<ConnectSchema['type'], 'struct' | 'array' | 'map'>, optional = false, extra: Partial<ConnectSchema> = {}): ConnectSchema {
  return { type, optional, ...extra };
}
