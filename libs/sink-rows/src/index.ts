/**
 * @millrace/sink-rows: what every table sink (jdbc-sink, duckdb-sink) does between a
 * SinkRecord and a table row, whatever the database:
 *
 * - config: Confluent's write and data-mapping keys (`insert.mode`, `pk.mode`,
 *   `pk.fields`, `delete.enabled`, `auto.create`, `auto.evolve`, `table.name.format`,
 *   `fields.whitelist`, `batch.size`) with their cross-field rules (sink-write-config.ts);
 * - columns: which key/value fields become which columns (`buildFieldsMetadata`,
 *   `columnValue`), what a column may hold (connect-columns.ts) and which in-place type
 *   changes widen it (column-evolution.ts);
 * - batches: records grouped by table, kind (write/delete) and schemas, Debezium change
 *   events unwrapped on the way (`RecordBatcher`, change-events.ts);
 * - rows: key strings, the last row per key, unchanged (TOASTed) columns kept as stored;
 * - exactly once: the per-partition bookkeeping of a sink that stores its offsets with
 *   its rows (`AppliedOffsets`).
 * Drivers, SQL text and value encoding stay with each sink.
 */
export * from './sink-write-config';
export { assertPrimitive, decimalPrecision, defaultLiteral, decimalScale, UnsupportedSchemaError, VARIABLE_SCALE_DECIMAL, variableScaleDecimalText } from './connect-columns';
export { columnTypeSql, describeColumnChange, planColumnChanges, widens, type ColumnChange, type ColumnChangeRules, type ColumnTypeFacts, type ExistingColumnFacts } from './column-evolution';
export { buildFieldsMetadata, columnValue, RecordSchemaError, type ColumnSource, type FieldsMetadata, type FieldsOptions, type SinkColumn } from './fields-metadata';
export { RecordBatcher, schemaFingerprint, type BatchKind, type BatcherOptions, type SinkBatch } from './record-batcher';
export { keyString, lastPerKey } from './row-key';
export { groupByUnchanged, unchangedColumnNames, type ColumnGroup } from './unchanged-columns';
export { AppliedOffsets, SINK_OFFSETS_TABLE, SINK_OFFSET_KEY_VERSION, type PartitionOffset } from './applied-offsets';
export { unwrapChangeEvent } from './change-events';
