import type { ConfigDef } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';
import { configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import type { Predicate } from './predicate';

const HAS_HEADER_KEY_CONFIG_DEF: ConfigDef = {
  keys: [{ name: 'name', type: 'STRING', importance: 'MEDIUM', documentation: 'The header name.' }],
};

/**
 * HasHeaderKey (`org.apache.kafka.connect.transforms.predicates.HasHeaderKey`): true when
 * the record has at least one header with key `name` (whatever its value, even null).
 */
export class HasHeaderKey<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  readonly configDef = HAS_HEADER_KEY_CONFIG_DEF;
  private name = '';

  configure(config: Record<string, string>): void {
    this.name = configString(parseTransformConfig(this.configDef, config), 'name') as string;
  }

  test(record: R): boolean {
    return record.headers.some((h) => h.key === this.name);
  }
}
