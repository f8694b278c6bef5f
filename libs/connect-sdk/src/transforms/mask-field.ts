import type { ConfigDef, ConfigValueType } from '../config/config-def';
import { DataError } from '../errors/connect-errors';
import type { ConnectRecord } from '../record/connect-record';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIMESTAMP_LOGICAL, TIME_LOGICAL, type ConnectSchema } from '../record/connect-schema';
import { type RecordSide, sideSchema, sideValue, withSide } from './record-side';
import { describeValue, isPlainObject, mapLike, requireMapEntries, requireStruct } from './struct-support';
import { configList, configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import type { Transformation } from './transformation';

const MASK_FIELD_CONFIG_DEF: ConfigDef = {
  keys: [
    {
      name: 'fields',
      type: 'LIST',
      importance: 'HIGH',
      validator: (v: ConfigValueType) => (Array.isArray(v) && v.length > 0 ? null : 'Empty list'),
      documentation: 'Names of fields to mask.',
    },
    {
      name: 'replacement',
      type: 'STRING',
      default: null,
      importance: 'LOW',
      validator: (v: ConfigValueType) => (v === null || v !== '' ? null : 'String may not be empty'),
      documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
    },
  ],
};

const INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64']);

/**
 * MaskField (`org.apache.kafka.connect.transforms.MaskField$Key|$Value`): replaces the
 * listed fields with a type-appropriate empty value — 0 for numbers, false, "", empty
 * bytes, [], an empty map ({} or Map like the original), "0" for a Decimal, the epoch
 * Date for Date/Time/Timestamp — or, with `replacement`, that value for string and
 * numeric fields (parsed to the field's type; a non-numeric replacement for a number, or
 * a replacement for any other type, is a DataError). Null field values stay null; struct
 * fields cannot be masked (DataError). The schema is unchanged. Schemaless maps mask by
 * the runtime type of each value; fields absent from a map stay absent.
 */
export class MaskField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef = MASK_FIELD_CONFIG_DEF;
  private fields = new Set<string>();
  private replacement: string | null = null;

  constructor(private readonly side: RecordSide) {}

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    this.fields = new Set(configList(parsed, 'fields'));
    this.replacement = configString(parsed, 'replacement');
  }

  apply(record: R): R | null {
    const value = sideValue(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = sideSchema(record, this.side);
    if (schema === null) {
      const entries = requireMapEntries(value, 'mask fields').map(([k, v]): [string, unknown] => [k, this.fields.has(k) ? this.maskSchemaless(k, v) : v]);
      return withSide(record, this.side, null, mapLike(value, entries));
    }
    const struct = requireStruct(schema, value, 'mask fields');
    const updated: Record<string, unknown> = {};
    for (const f of schema.fields ?? []) {
      const v = struct[f.name] ?? null;
      updated[f.name] = this.fields.has(f.name) ? this.maskWithSchema(f.name, f.schema, v) : v;
    }
    return withSide(record, this.side, schema, updated);
  }

  private maskWithSchema(field: string, schema: ConnectSchema, value: unknown): unknown {
    if (value === null) return null;
    if (this.replacement !== null) return this.replaceWithSchema(field, schema, value);
    if (schema.name === DECIMAL_LOGICAL) return '0';
    if (schema.name === DATE_LOGICAL || schema.name === TIME_LOGICAL || schema.name === TIMESTAMP_LOGICAL) return new Date(0);
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
      case 'float32':
      case 'float64':
        return typeof value === 'bigint' ? BigInt(0) : 0;
      case 'boolean':
        return false;
      case 'string':
        return '';
      case 'bytes':
        return Buffer.alloc(0);
      case 'array':
        return [];
      case 'map':
        return value instanceof Map ? new Map() : {};
      case 'struct':
        throw new DataError(`Cannot mask value of type struct (field ${field})`);
    }
  }

  private replaceWithSchema(field: string, schema: ConnectSchema, value: unknown): unknown {
    const replacement = this.replacement as string;
    if (schema.name === DECIMAL_LOGICAL) return this.numeric(field, replacement, false);
    if (schema.name !== undefined && schema.type !== 'string') {
      throw new DataError(`Cannot mask value of type ${schema.name} with custom replacement (field ${field})`);
    }
    if (schema.type === 'string') return replacement;
    if (INTEGER_TYPES.has(schema.type)) {
      const n = this.numeric(field, replacement, true);
      return schema.type === 'int64' && typeof value === 'bigint' ? BigInt(replacement.trim()) : Number(n);
    }
    if (schema.type === 'float32' || schema.type === 'float64') return Number(this.numeric(field, replacement, false));
    throw new DataError(`Cannot mask value of type ${schema.type} with custom replacement (field ${field})`);
  }

  private maskSchemaless(field: string, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (this.replacement !== null) {
      if (typeof value === 'string') return this.replacement;
      if (typeof value === 'number') return Number(this.numeric(field, this.replacement, Number.isInteger(value)));
      if (typeof value === 'bigint') return BigInt(this.numeric(field, this.replacement, true));
      throw new DataError(`Cannot mask value of type ${describeValue(value)} with custom replacement (field ${field})`);
    }
    if (typeof value === 'number') return 0;
    if (typeof value === 'bigint') return BigInt(0);
    if (typeof value === 'boolean') return false;
    if (typeof value === 'string') return '';
    if (Buffer.isBuffer(value)) return Buffer.alloc(0);
    if (Array.isArray(value)) return [];
    if (value instanceof Date) return new Date(0);
    if (value instanceof Map) return new Map();
    if (isPlainObject(value)) return {};
    throw new DataError(`Cannot mask value of type ${describeValue(value)} (field ${field})`);
  }

  /** The trimmed replacement if it is a valid number (an integer when `integer`). */
  private numeric(field: string, text: string, integer: boolean): string {
    const trimmed = text.trim();
    const ok = integer ? /^[+-]?\d+$/.test(trimmed) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed);
    if (!ok) throw new DataError(`Unable to convert ${text} to ${integer ? 'an integer' : 'a number'} for field ${field}`);
    return trimmed;
  }
}
