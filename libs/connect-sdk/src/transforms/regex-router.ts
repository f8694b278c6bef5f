import type { ConfigDef, ConfigValueType } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';
import { type JavaPattern, compileJavaPattern, expandReplacement, javaPatternProblem, parseJavaReplacement } from './java-regex';
import { configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import { TransformConfigError } from './transform-config-error';
import type { Transformation } from './transformation';
import { errorMessage } from '@millrace/app-common';

const REGEX_ROUTER_CONFIG_DEF: ConfigDef = {
  keys: [
    {
      name: 'regex',
      type: 'STRING',
      importance: 'HIGH',
      validator: (v: ConfigValueType) => (typeof v === 'string' ? javaPatternProblem(v) : 'Not a string'),
      documentation: 'Regular expression to use for matching.',
    },
    { name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' },
  ],
};

/**
 * RegexRouter (`org.apache.kafka.connect.transforms.RegexRouter`): when the whole topic
 * name matches `regex` (Java `matches()`), the topic becomes `replacement` with Java
 * group references expanded (`$1`, `${name}`, `\$` for a literal dollar); otherwise the
 * record is unchanged. A replacement referring to a group the regex lacks is a config
 * error on `replacement`.
 */
export class RegexRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef = REGEX_ROUTER_CONFIG_DEF;
  private pattern: JavaPattern | null = null;
  private replacement: ReturnType<typeof parseJavaReplacement> = [];

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    const pattern = compileJavaPattern(configString(parsed, 'regex') as string);
    const replacement = configString(parsed, 'replacement') as string;
    try {
      this.replacement = parseJavaReplacement(replacement, pattern);
    } catch (e) {
      throw TransformConfigError.invalid('replacement', replacement, errorMessage(e));
    }
    this.pattern = pattern;
  }

  apply(record: R): R | null {
    if (this.pattern === null) throw new Error('RegexRouter used before configure');
    const match = this.pattern.regex.exec(record.topic);
    if (match === null) return record;
    return { ...record, topic: expandReplacement(this.replacement, match) };
  }
}
