import type { ConfigDef } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';

/**
 * A condition deciding whether a transform applies to a record (Kafka Connect's
 * Predicate, KIP-585). Configured from `predicates.<alias>.*` (prefix stripped, without
 * `type`); `configure` throws a `TransformConfigError` naming the bad key.
 */
export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  configure(config: Record<string, string>): void;
  test(record: R): boolean;
  readonly configDef: ConfigDef;
  close?(): void;
}
