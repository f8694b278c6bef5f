import type { ConfigDef } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';
import type { Transformation } from './transformation';

/**
 * Filter (`org.apache.kafka.connect.transforms.Filter`): drops every record it is applied
 * to. Used with a predicate (`transforms.x.predicate`, optionally `negate=true`) to drop
 * only the records the predicate selects. Has no config keys.
 */
export class Filter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef: ConfigDef = { keys: [] };

  configure(_config: Record<string, string>): void {
    // No configuration.
  }

  apply(_record: R): R | null {
    return null;
  }
}
