import type { ConfigDef } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';

/**
 * A Single Message Transform (Kafka Connect's Transformation).
 *
 * Contract:
 * - `configure` receives the transform's own keys (`transforms.<alias>.` stripped, without
 *   `type`, `predicate` and `negate`) and throws a `TransformConfigError` naming the bad
 *   key (unprefixed; the chain adds the prefix).
 * - `apply` returns a new record (never mutates its input) or `null` to drop the record.
 *   The result keeps the input's record type: SourceRecord and SinkRecord fields survive
 *   because transforms build results by spreading the input.
 * - Failures on a record throw (a `DataError` for bad data); the runtime's
 *   RetryWithToleranceOperator decides whether the record is skipped.
 */
export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  configure(config: Record<string, string>): void;
  apply(record: R): R | null;
  readonly configDef: ConfigDef;
  close?(): void;
}
