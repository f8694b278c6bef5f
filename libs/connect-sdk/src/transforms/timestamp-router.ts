import type { ConfigDef, ConfigValueType } from '../config/config-def';
import { DataError } from '../errors/connect-errors';
import type { ConnectRecord } from '../record/connect-record';
import { SimpleDateFormat } from './simple-date-format';
import { configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import type { Transformation } from './transformation';
import { errorMessage } from '@millrace/app-common';

const datePatternProblem = (v: ConfigValueType): string | null => {
  try {
    new SimpleDateFormat(String(v));
    return null;
  } catch (e) {
    return errorMessage(e);
  }
};

const TIMESTAMP_ROUTER_CONFIG_DEF: ConfigDef = {
  keys: [
    {
      name: 'topic.format',
      type: 'STRING',
      default: '${topic}-${timestamp}',
      importance: 'HIGH',
      documentation: 'Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.',
    },
    {
      name: 'timestamp.format',
      type: 'STRING',
      default: 'yyyyMMdd',
      importance: 'HIGH',
      validator: datePatternProblem,
      documentation: 'Format string for the timestamp that is compatible with java.text.SimpleDateFormat (formatted in UTC).',
    },
  ],
};

/**
 * TimestampRouter (`org.apache.kafka.connect.transforms.TimestampRouter`): sets the topic
 * to `topic.format` with `${topic}` replaced by the original topic and `${timestamp}` by
 * the record timestamp formatted with `timestamp.format` (SimpleDateFormat subset, UTC).
 * A record without a timestamp is a DataError ("Timestamp missing on record").
 */
export class TimestampRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef = TIMESTAMP_ROUTER_CONFIG_DEF;
  private topicFormat = '${topic}-${timestamp}';
  private dateFormat = new SimpleDateFormat('yyyyMMdd');

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    this.topicFormat = configString(parsed, 'topic.format') ?? this.topicFormat;
    this.dateFormat = new SimpleDateFormat(configString(parsed, 'timestamp.format') ?? 'yyyyMMdd');
  }

  apply(record: R): R | null {
    if (record.timestamp === null) throw new DataError(`Timestamp missing on record: topic=${record.topic}`);
    const formatted = this.dateFormat.format(record.timestamp);
    const topic = this.topicFormat.split('${topic}').join(record.topic).split('${timestamp}').join(formatted);
    return { ...record, topic };
  }
}
