/**
 * Kafka Connect's schema model, which every converter maps to and from (Avro, JSON with
 * `schemas.enable`, string).
 *
 * Value representation for each type (the contract converters, transforms and
 * connectors share):
 *   int8, int16, int32, float32, float64  -> number
 *   int64                                 -> number when |v| <= 2^53 - 1, else bigint
 *   boolean -> boolean; string -> string; bytes -> Buffer
 *   array -> unknown[]; map -> Map<unknown, unknown> (string keys may also be a plain object)
 *   struct -> Struct (plain object keyed by field name, in field order)
 *   null for an absent optional value
 * Logical types (Kafka Connect names), marked by `name` on a primitive schema:
 *   org.apache.kafka.connect.data.Decimal   bytes, parameters.scale  -> value is a decimal string, e.g. "-12.340"
 *   org.apache.kafka.connect.data.Date      int32 days since epoch    -> value is a Date (UTC midnight)
 *   org.apache.kafka.connect.data.Time      int32 ms since midnight   -> value is a Date on 1970-01-01 UTC
 *   org.apache.kafka.connect.data.Timestamp int64 ms since epoch      -> value is a Date
 */
export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

export interface ConnectField {
  readonly name: string;
  readonly index: number;
  readonly schema: ConnectSchema;
}

export interface ConnectSchema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly defaultValue?: unknown;
  readonly parameters?: Readonly<Record<string, string>>;
  /** struct only, in order. */
  readonly fields?: readonly ConnectField[];
  /** array and map values. */
  readonly valueSchema?: ConnectSchema;
  /** map keys. */
  readonly keySchema?: ConnectSchema;
}

/** A struct value: field name -> value, in the schema's field order. */
export type Struct = { [field: string]: unknown };

export const DECIMAL_LOGICAL = 'org.apache.kafka.connect.data.Decimal';
export const DATE_LOGICAL = 'org.apache.kafka.connect.data.Date';
export const TIME_LOGICAL = 'org.apache.kafka.connect.data.Time';
export const TIMESTAMP_LOGICAL = 'org.apache.kafka.connect.data.Timestamp';
