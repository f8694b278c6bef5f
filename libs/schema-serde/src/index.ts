/**
 * @millrace/schema-serde: Confluent wire format, a caching schema-registry client and an
 * Avro serde on top of them (used by the connect converters). No dependency on the broker.
 */
export { decodeFrame, encodeFrame, encodeFrameHeader, frameSchemaId, HEADER_SIZE, MAGIC_BYTE, WireFormatError } from './wire-format';
export type { Frame } from './wire-format';
export { SCHEMA_REGISTRY_CONTENT_TYPE, SchemaRegistryClient, SchemaRegistryError } from './schema-registry-client';
export type { RegisteredSchema, SchemaReference, SchemaRegistryClientOptions, SubjectVersion } from './schema-registry-client';
export { AvroSerde } from './avro-serde';
export type { AvroWriter, AvroSerdeOptions, AvroTypeOptions, DeserializeOptions, SerializeOptions } from './avro-serde';
export { DeserializationError, SerializationError } from './serde-errors';
