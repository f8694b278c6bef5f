import type { ConfigDef } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';
import type { Predicate } from './predicate';

/**
 * RecordIsTombstone (`org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`):
 * true when the record's value is null. No config keys.
 */
export class RecordIsTombstone<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  readonly configDef: ConfigDef = { keys: [] };

  configure(_config: Record<string, string>): void {
    // No configuration.
  }

  test(record: R): boolean {
    return record.value === null || record.value === undefined;
  }
}
