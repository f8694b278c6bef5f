/**
 * @millrace/reconcile: compares a source table with the warehouse table a sink keeps
 * from it, in primary-key chunks (row count + order-independent checksum over the
 * canonical values of the shared columns), and reports the chunks that drifted.
 *
 * - table-reader.ts: one side (Postgres or MySQL/MariaDB) read as text;
 * - canonical.ts: the same value reads the same from either database;
 * - chunk-digest.ts: count + checksum of a set of rows;
 * - reconcile-table.ts: the plan (key, shared columns, chunk ranges) and the chunk jobs.
 */
export { canonicalValue, columnCategory, sharedCategory, type ValueCategory } from './canonical';
export { digestRows, type ChunkDigest } from './chunk-digest';
export { openTableReader, describeTable, type TableReader, type ColumnInfo, type KeyRange, type KeyTuple } from './table-reader';
export { compareTable, type TableReport, type DriftedChunk, type CompareOptions } from './reconcile-table';
