import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectField, type ConnectSchema } from '../record/connect-schema';

const optional = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: true, ...extra });
const decimal = (scale: number, precision: number): ConnectSchema =>
  optional('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) } });

/**
 * A database row's columns, as [name, schema]: every flat type the Avro direct paths take
 * (the converter's direct encoder, the JDBC sink's Avro-to-COPY rows), most of them
 * optional; `id` and `name` are required. For seeded tests that compare a direct path
 * with the general one: each adds the fields of its own (`rowSchema`).
 */
export const ROW_FIELDS: readonly (readonly [string, ConnectSchema])[] = [
  ['id', { type: 'int64', optional: false }],
  ['name', { type: 'string', optional: false }],
  ['i8', optional('int8')],
  ['i16', optional('int16')],
  ['i32', optional('int32')],
  ['big', optional('int64')],
  ['f32', optional('float32')],
  ['f64', optional('float64')],
  ['flag', optional('boolean')],
  ['text', optional('string')],
  ['blob', optional('bytes')],
  ['amount', decimal(2, 10)],
  ['whole', decimal(0, 30)],
  ['fine', decimal(10, 38)],
  ['day', optional('int32', { name: DATE_LOGICAL, version: 1 })],
  ['clock', optional('int32', { name: TIME_LOGICAL, version: 1 })],
  ['at', optional('int64', { name: TIMESTAMP_LOGICAL, version: 1 })],
  ['micros', optional('int64', { name: 'io.debezium.time.MicroTimestamp' })],
  ['zoned', optional('string', { name: 'io.debezium.time.ZonedTimestamp' })],
];

/** The required struct `name` of ROW_FIELDS followed by `extra` fields. */
export function rowSchema(name: string, extra: readonly (readonly [string, ConnectSchema])[] = []): ConnectSchema {
  const fields: ConnectField[] = [...ROW_FIELDS, ...extra].map(([field, schema], index) => ({ name: field, index, schema }));
  return { type: 'struct', optional: false, name, fields };
}
