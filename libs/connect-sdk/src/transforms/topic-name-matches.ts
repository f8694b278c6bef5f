import type { ConfigDef, ConfigValueType } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';
import { compileJavaPattern, javaPatternProblem } from './java-regex';
import { configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import type { Predicate } from './predicate';

const TOPIC_NAME_MATCHES_CONFIG_DEF: ConfigDef = {
  keys: [
    {
      name: 'pattern',
      type: 'STRING',
      importance: 'MEDIUM',
      validator: (v: ConfigValueType) => (typeof v === 'string' && v !== '' ? javaPatternProblem(v) : 'Must be a non-empty regular expression'),
      documentation: 'A Java regular expression for matching against the name of the topic of a record.',
    },
  ],
};

/**
 * TopicNameMatches (`org.apache.kafka.connect.transforms.predicates.TopicNameMatches`):
 * true when the whole topic name matches `pattern` (Java `matches()`).
 */
export class TopicNameMatches<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  readonly configDef = TOPIC_NAME_MATCHES_CONFIG_DEF;
  private regex: RegExp | null = null;

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    this.regex = compileJavaPattern(configString(parsed, 'pattern') as string).regex;
  }

  test(record: R): boolean {
    if (this.regex === null) throw new Error('TopicNameMatches used before configure');
    return this.regex.test(record.topic);
  }
}
