import type { ConnectSchema } from '../record/connect-schema';
import type { ConnectRecord } from '../record/connect-record';

/** Which part of a record a `$Key` / `$Value` transform variant operates on. */
export type RecordSide = 'key' | 'value';

export function sideSchema(record: ConnectRecord, side: RecordSide): ConnectSchema | null {
  return side === 'key' ? record.keySchema : record.valueSchema;
}

export function sideValue(record: ConnectRecord, side: RecordSide): unknown {
  return side === 'key' ? record.key : record.value;
}

/** A copy of `record` (same record type, other fields kept) with the side replaced. */
export function withSide<R extends ConnectRecord>(record: R, side: RecordSide, schema: ConnectSchema | null, value: unknown): R {
  return side === 'key' ? { ...record, keySchema: schema, key: value } : { ...record, valueSchema: schema, value };
}

/** Kafka's class-name suffix for a side: `$Key` or `$Value`. */
export function sideSuffix(side: RecordSide): string {
  return side === 'key' ? '$Key' : '$Value';
}
