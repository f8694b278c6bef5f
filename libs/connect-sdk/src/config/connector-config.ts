/**
 * The runtime's own connector config keys, present for every connector (Kafka Connect's
 * ConnectorConfig / SinkConnectorConfig): name, connector.class, tasks.max, converters,
 * transforms, predicates and error handling; sinks add topics / topics.regex and the
 * dead letter queue keys. Groups: "Common", "Transforms", "Predicates", "Error Handling".
 *
 * `errors.deadletterqueue.topic.replication.factor` has Kafka Connect's default 3; the
 * worker caps it at the number of brokers when it creates the topic, so a one-broker
 * cluster gets a DLQ topic too ({@link DLQ_TOPIC_REPLICATION_FACTOR_KEY}).
 *
 * {@link mergeConfigDefs} combines the common definition with a plugin's: a key defined
 * again by a later definition replaces the earlier one in place (position kept).
 */
import type { ConnectorType } from '../connector/connector';
import type { ConfigDef, ConfigKey } from './config-def';
import { atLeast, nonEmptyString, oneOf, validRegex } from './common-validators';
import { SinkTopics } from './sink-topics';
import { EXACTLY_ONCE_GROUP, exactlyOnceSourceKeys } from './exactly-once-config';

export const CONNECTOR_NAME_CONFIG = 'name';
export const CONNECTOR_CLASS_CONFIG = 'connector.class';
export const TASKS_MAX_CONFIG = 'tasks.max';
export const KEY_CONVERTER_CONFIG = 'key.converter';
export const VALUE_CONVERTER_CONFIG = 'value.converter';
export const HEADER_CONVERTER_CONFIG = 'header.converter';
export const TRANSFORMS_CONFIG = 'transforms';
export const PREDICATES_CONFIG = 'predicates';
export const ERRORS_TOLERANCE_CONFIG = 'errors.tolerance';
export const ERRORS_RETRY_TIMEOUT_CONFIG = 'errors.retry.timeout';
export const ERRORS_RETRY_MAX_DELAY_CONFIG = 'errors.retry.delay.max.ms';
export const ERRORS_LOG_ENABLE_CONFIG = 'errors.log.enable';
export const ERRORS_LOG_INCLUDE_MESSAGES_CONFIG = 'errors.log.include.messages';
export const DLQ_TOPIC_NAME_CONFIG = 'errors.deadletterqueue.topic.name';
export const DLQ_TOPIC_REPLICATION_FACTOR_CONFIG = 'errors.deadletterqueue.topic.replication.factor';
export const DLQ_CONTEXT_HEADERS_ENABLE_CONFIG = 'errors.deadletterqueue.context.headers.enable';
export const TOPICS_CONFIG = 'topics';
export const TOPICS_REGEX_CONFIG = 'topics.regex';

export const COMMON_GROUP = 'Common';
export const TRANSFORMS_GROUP = 'Transforms';
export const PREDICATES_GROUP = 'Predicates';
export const ERROR_GROUP = 'Error Handling';

export const ERRORS_TOLERANCE_VALUES = ['none', 'all'] as const;
export type ErrorsTolerance = (typeof ERRORS_TOLERANCE_VALUES)[number];

/**
 * The one definition of `errors.deadletterqueue.topic.replication.factor`, shared by the
 * connector config (REST validation) and the worker's error-handling config. Values: -1
 * or 1..32767, default 3 (Kafka Connect's). The worker creates a missing DLQ topic with
 * min(factor, brokers) replicas, and -1 like the default with min(3, brokers).
 */
export const DLQ_TOPIC_REPLICATION_FACTOR_KEY: ConfigKey = {
  name: DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
  type: 'INT',
  default: 3,
  importance: 'MEDIUM',
  documentation: 'Replication factor of the dead letter queue topic when the worker creates it, capped at the number of brokers; -1 means the default (3, capped likewise).',
  validator: (value) => (typeof value === 'number' && (value === -1 || (value >= 1 && value <= 32767)) ? null : 'Value must be -1 or between 1 and 32767'),
  group: ERROR_GROUP,
  orderInGroup: 7,
  width: 'MEDIUM',
  displayName: 'Dead Letter Queue Topic Replication Factor',
};

function commonKeys(): ConfigKey[] {
  return [
    {
      name: CONNECTOR_NAME_CONFIG,
      type: 'STRING',
      importance: 'HIGH',
      documentation: 'Globally unique name of this connector.',
      validator: nonEmptyString(),
      group: COMMON_GROUP,
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Connector name',
    },
    {
      name: CONNECTOR_CLASS_CONFIG,
      type: 'STRING',
      importance: 'HIGH',
      documentation: 'Name or alias of the connector plugin, e.g. the class name of the Kafka Connect connector it replaces.',
      group: COMMON_GROUP,
      orderInGroup: 2,
      width: 'LONG',
      displayName: 'Connector class',
    },
    {
      name: TASKS_MAX_CONFIG,
      type: 'INT',
      default: 1,
      importance: 'HIGH',
      documentation: 'Maximum number of tasks of this connector.',
      validator: atLeast(1),
      group: COMMON_GROUP,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Tasks max',
    },
    {
      name: KEY_CONVERTER_CONFIG,
      type: 'CLASS',
      default: null,
      importance: 'LOW',
      documentation: 'Converter of record keys (avro, json, string or a Kafka/Confluent class name); the worker default when unset.',
      group: COMMON_GROUP,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'Key converter class',
    },
    {
      name: VALUE_CONVERTER_CONFIG,
      type: 'CLASS',
      default: null,
      importance: 'LOW',
      documentation: 'Converter of record values (avro, json, string or a Kafka/Confluent class name); the worker default when unset.',
      group: COMMON_GROUP,
      orderInGroup: 5,
      width: 'SHORT',
      displayName: 'Value converter class',
    },
    {
      name: HEADER_CONVERTER_CONFIG,
      type: 'CLASS',
      default: null,
      importance: 'LOW',
      documentation: 'Converter of record headers; the worker default when unset.',
      group: COMMON_GROUP,
      orderInGroup: 6,
      width: 'SHORT',
      displayName: 'Header converter class',
    },
  ];
}

function sinkTopicKeys(): ConfigKey[] {
  return [
    {
      name: TOPICS_CONFIG,
      type: 'LIST',
      default: '',
      importance: 'HIGH',
      documentation: 'Comma-separated topics to consume. Set exactly one of topics and topics.regex.',
      group: COMMON_GROUP,
      orderInGroup: 4,
      width: 'LONG',
      displayName: 'Topics',
    },
    {
      name: TOPICS_REGEX_CONFIG,
      type: 'STRING',
      default: '',
      importance: 'HIGH',
      documentation: 'Regular expression of the topics to consume. Set exactly one of topics and topics.regex.',
      validator: validRegex(),
      group: COMMON_GROUP,
      orderInGroup: 4,
      width: 'LONG',
      displayName: 'Topics regex',
    },
  ];
}

function transformKeys(): ConfigKey[] {
  return [
    {
      name: TRANSFORMS_CONFIG,
      type: 'LIST',
      default: '',
      importance: 'LOW',
      documentation: 'Aliases of the single message transforms applied to records, in order; each is configured by transforms.<alias>.* keys.',
      group: TRANSFORMS_GROUP,
      orderInGroup: 0,
      width: 'LONG',
      displayName: 'Transforms',
    },
    {
      name: PREDICATES_CONFIG,
      type: 'LIST',
      default: '',
      importance: 'LOW',
      documentation: 'Aliases of the predicates transforms may be conditioned on; each is configured by predicates.<alias>.* keys.',
      group: PREDICATES_GROUP,
      orderInGroup: 0,
      width: 'LONG',
      displayName: 'Predicates',
    },
  ];
}

/**
 * The `errors.*` keys (KIP-298) with Kafka Connect's defaults and validators; the DLQ keys
 * only for sinks. The one definition: REST validation (commonConnectorConfigDef) and the
 * task's parser (errors/error-handling-config.ts) both use it.
 */
export function errorHandlingConfigKeys(type: ConnectorType): ConfigKey[] {
  const keys: ConfigKey[] = [
    {
      name: ERRORS_RETRY_TIMEOUT_CONFIG,
      type: 'LONG',
      default: 0,
      importance: 'MEDIUM',
      documentation: 'Maximum time in milliseconds a failed operation is retried for; 0 means no retries, -1 retries forever.',
      validator: atLeast(-1),
      group: ERROR_GROUP,
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Retry Timeout for Errors',
    },
    {
      name: ERRORS_RETRY_MAX_DELAY_CONFIG,
      type: 'LONG',
      default: 60000,
      importance: 'MEDIUM',
      documentation: 'Maximum delay in milliseconds between two retries of a failed operation.',
      validator: atLeast(0),
      group: ERROR_GROUP,
      orderInGroup: 2,
      width: 'MEDIUM',
      displayName: 'Maximum Delay Between Retries for Errors',
    },
    {
      name: ERRORS_TOLERANCE_CONFIG,
      type: 'STRING',
      default: 'none',
      importance: 'MEDIUM',
      documentation: "Behaviour on conversion and transformation errors: 'none' fails the task on the first error, 'all' skips problematic records.",
      validator: oneOf(ERRORS_TOLERANCE_VALUES, true),
      allowedValues: ERRORS_TOLERANCE_VALUES,
      group: ERROR_GROUP,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Error Tolerance',
    },
    {
      name: ERRORS_LOG_ENABLE_CONFIG,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      documentation: 'Log every failed operation and problematic record.',
      group: ERROR_GROUP,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'Log Errors',
    },
    {
      name: ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      documentation: 'Include the record (topic, partition, offset, key, value) in error logs.',
      group: ERROR_GROUP,
      orderInGroup: 5,
      width: 'SHORT',
      displayName: 'Log Error Details',
    },
  ];
  if (type === 'sink') {
    keys.push(
      {
        name: DLQ_TOPIC_NAME_CONFIG,
        type: 'STRING',
        default: '',
        importance: 'MEDIUM',
        documentation: 'Topic receiving the records that failed (dead letter queue); empty disables it. Needs errors.tolerance=all.',
        group: ERROR_GROUP,
        orderInGroup: 6,
        width: 'MEDIUM',
        displayName: 'Dead Letter Queue Topic Name',
      },
      DLQ_TOPIC_REPLICATION_FACTOR_KEY,
      {
        name: DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
        type: 'BOOLEAN',
        default: false,
        importance: 'MEDIUM',
        documentation: 'Add __connect.errors.* headers describing the failure to dead letter queue records.',
        group: ERROR_GROUP,
        orderInGroup: 8,
        width: 'MEDIUM',
        displayName: 'Enable Error Context Headers',
      },
    );
  }
  return keys;
}

/** The runtime's keys for a connector of `type`, in Kafka Connect's groups and order. */
export function commonConnectorConfigDef(type: ConnectorType): ConfigDef {
  const keys = [...commonKeys()];
  if (type === 'sink') keys.splice(3, 0, ...sinkTopicKeys());
  keys.push(...transformKeys(), ...errorHandlingConfigKeys(type));
  if (type === 'source') keys.push(...exactlyOnceSourceKeys());
  return { keys, groups: [COMMON_GROUP, TRANSFORMS_GROUP, PREDICATES_GROUP, ERROR_GROUP, ...(type === 'source' ? [EXACTLY_ONCE_GROUP] : [])] };
}

/**
 * One definition holding every key of `defs`, in order; a key defined again replaces the
 * earlier definition in its position. Groups: union in first-seen order.
 */
export function mergeConfigDefs(...defs: ConfigDef[]): ConfigDef {
  const keys: ConfigKey[] = [];
  const index = new Map<string, number>();
  const groups: string[] = [];
  for (const def of defs) {
    for (const g of def.groups ?? []) if (!groups.includes(g)) groups.push(g);
    for (const key of def.keys) {
      const at = index.get(key.name);
      if (at === undefined) {
        index.set(key.name, keys.length);
        keys.push(key);
      } else {
        keys[at] = key;
      }
      if (key.group !== undefined && !groups.includes(key.group)) groups.push(key.group);
    }
  }
  return { keys, groups };
}

/**
 * Kafka Connect's cross-field checks of a sink's topics: exactly one of topics and
 * topics.regex, and the dead letter queue topic not among the consumed topics.
 * Returns key -> message (empty when fine).
 */
export function validateSinkTopics(raw: Readonly<Record<string, string>>): Record<string, string> {
  const sink = SinkTopics.fromConfig(raw);
  const dlq = (raw[DLQ_TOPIC_NAME_CONFIG] ?? '').trim();
  const out: Record<string, string> = {};
  if (sink.topics.length > 0 && sink.regex !== '') {
    const message = `${TOPICS_CONFIG} and ${TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set.`;
    out[TOPICS_CONFIG] = message;
    out[TOPICS_REGEX_CONFIG] = message;
  } else if (sink.topics.length === 0 && sink.regex === '') {
    const message = `Must configure one of ${TOPICS_CONFIG} or ${TOPICS_REGEX_CONFIG}`;
    out[TOPICS_CONFIG] = message;
    out[TOPICS_REGEX_CONFIG] = message;
  }
  if (dlq !== '' && sink.matches(dlq)) out[DLQ_TOPIC_NAME_CONFIG] = `The DLQ topic '${dlq}' may not be included in the topics consumed by the connector`;
  return out;
}
