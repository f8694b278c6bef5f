import type { ConfigDef, ConfigValueType } from '../config/config-def';
import { configBoolean, configNumber, configString } from '../config/config-readers';
import {
  DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
  DLQ_TOPIC_NAME_CONFIG,
  DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
  DLQ_TOPIC_REPLICATION_FACTOR_KEY,
  ERROR_GROUP,
  ERRORS_LOG_ENABLE_CONFIG,
  ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
  ERRORS_RETRY_MAX_DELAY_CONFIG,
  ERRORS_RETRY_TIMEOUT_CONFIG,
  ERRORS_TOLERANCE_CONFIG,
} from '../config/connector-config';
import { parseTransformConfig } from '../transforms/transform-config';

/**
 * The `errors.*` connector config keys (KIP-298), with Kafka Connect's defaults:
 * - `errors.retry.timeout` 0: ms to keep retrying a retriable failure; 0 = no retry, -1 = forever.
 * - `errors.retry.delay.max.ms` 60000: cap of the exponential backoff between retries.
 * - `errors.tolerance` none: `none` fails the task on the first error; `all` skips bad records.
 * - `errors.log.enable` false / `errors.log.include.messages` false.
 * - `errors.deadletterqueue.topic.name` "" (sinks only; empty = no DLQ),
 *   `errors.deadletterqueue.topic.replication.factor` 3 (one definition with the connector
 *   config's: DLQ_TOPIC_REPLICATION_FACTOR_KEY),
 *   `errors.deadletterqueue.context.headers.enable` false.
 * Known difference with the REST validation's definitions of the same keys
 * (config/connector-config.ts), kept as the tests pin it: here `errors.tolerance` is
 * case-sensitive and `errors.retry.delay.max.ms` must be at least 1 (there: 0).
 */
export const ERRORS_RETRY_TIMEOUT = ERRORS_RETRY_TIMEOUT_CONFIG;
export const ERRORS_RETRY_DELAY_MAX_MS = ERRORS_RETRY_MAX_DELAY_CONFIG;
export const ERRORS_TOLERANCE = ERRORS_TOLERANCE_CONFIG;
export const ERRORS_LOG_ENABLE = ERRORS_LOG_ENABLE_CONFIG;
export const ERRORS_LOG_INCLUDE_MESSAGES = ERRORS_LOG_INCLUDE_MESSAGES_CONFIG;
export const ERRORS_DLQ_TOPIC_NAME = DLQ_TOPIC_NAME_CONFIG;
export const ERRORS_DLQ_REPLICATION_FACTOR = DLQ_TOPIC_REPLICATION_FACTOR_CONFIG;
export const ERRORS_DLQ_CONTEXT_HEADERS_ENABLE = DLQ_CONTEXT_HEADERS_ENABLE_CONFIG;

export type ErrorTolerance = 'none' | 'all';

export interface ErrorHandlingConfig {
  readonly retryTimeoutMs: number;
  readonly retryDelayMaxMs: number;
  readonly tolerance: ErrorTolerance;
  readonly logEnable: boolean;
  readonly logIncludeMessages: boolean;
  /** Empty when no dead letter queue is configured. */
  readonly deadLetterQueueTopic: string;
  readonly deadLetterQueueReplicationFactor: number;
  readonly deadLetterQueueContextHeaders: boolean;
}

const atLeast =
  (min: number, what: string) =>
  (value: ConfigValueType): string | null =>
    typeof value === 'number' && value >= min ? null : `Value must be at least ${min} (${what})`;

export const ERROR_HANDLING_CONFIG_DEF: ConfigDef = {
  groups: [ERROR_GROUP],
  keys: [
    {
      name: ERRORS_RETRY_TIMEOUT,
      type: 'LONG',
      default: 0,
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 1,
      validator: atLeast(-1, '-1 retries forever'),
      documentation: 'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
    },
    {
      name: ERRORS_RETRY_DELAY_MAX_MS,
      type: 'LONG',
      default: 60000,
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 2,
      validator: atLeast(1, 'milliseconds'),
      documentation: 'The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
    },
    {
      name: ERRORS_TOLERANCE,
      type: 'STRING',
      default: 'none',
      allowedValues: ['none', 'all'],
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 3,
      documentation: "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
    },
    {
      name: ERRORS_LOG_ENABLE,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 4,
      documentation: "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
    },
    {
      name: ERRORS_LOG_INCLUDE_MESSAGES,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 5,
      documentation: "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
    },
    {
      name: ERRORS_DLQ_TOPIC_NAME,
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 6,
      documentation: 'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
    },
    DLQ_TOPIC_REPLICATION_FACTOR_KEY,
    {
      name: ERRORS_DLQ_CONTEXT_HEADERS_ENABLE,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERROR_GROUP,
      orderInGroup: 8,
      documentation: 'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys will start with __connect.errors.',
    },
  ],
};

/**
 * Reads the `errors.*` keys of a connector config (defaults applied). Throws a
 * `TransformConfigError` naming the first invalid key.
 */
export function parseErrorHandlingConfig(config: Readonly<Record<string, string>>): ErrorHandlingConfig {
  const parsed = parseTransformConfig(ERROR_HANDLING_CONFIG_DEF, config);
  return {
    retryTimeoutMs: configNumber(parsed, ERRORS_RETRY_TIMEOUT),
    retryDelayMaxMs: configNumber(parsed, ERRORS_RETRY_DELAY_MAX_MS),
    tolerance: configString(parsed, ERRORS_TOLERANCE) === 'all' ? 'all' : 'none',
    logEnable: configBoolean(parsed, ERRORS_LOG_ENABLE),
    logIncludeMessages: configBoolean(parsed, ERRORS_LOG_INCLUDE_MESSAGES),
    deadLetterQueueTopic: configString(parsed, ERRORS_DLQ_TOPIC_NAME) ?? '',
    deadLetterQueueReplicationFactor: configNumber(parsed, ERRORS_DLQ_REPLICATION_FACTOR),
    deadLetterQueueContextHeaders: configBoolean(parsed, ERRORS_DLQ_CONTEXT_HEADERS_ENABLE),
  };
}
