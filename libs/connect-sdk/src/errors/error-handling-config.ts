import type { ConfigDef } from '../config/config-def';
import { configBoolean, configNumber, configString } from '../config/config-readers';
import {
  DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
  DLQ_TOPIC_NAME_CONFIG,
  DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
  ERROR_GROUP,
  ERRORS_LOG_ENABLE_CONFIG,
  ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
  ERRORS_RETRY_MAX_DELAY_CONFIG,
  ERRORS_RETRY_TIMEOUT_CONFIG,
  ERRORS_TOLERANCE_CONFIG,
  errorHandlingConfigKeys,
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
 * The keys are defined once, in config/connector-config.ts (errorHandlingConfigKeys), so a
 * config REST validation accepts is one the task accepts: `errors.tolerance` is case
 * insensitive as in Kafka.
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

/** The `errors.*` keys of a sink (a superset of a source's): one definition with REST validation's. */
export const ERROR_HANDLING_CONFIG_DEF: ConfigDef = { groups: [ERROR_GROUP], keys: errorHandlingConfigKeys('sink') };

/**
 * Reads the `errors.*` keys of a connector config (defaults applied). Throws a
 * `TransformConfigError` naming the first invalid key.
 */
export function parseErrorHandlingConfig(config: Readonly<Record<string, string>>): ErrorHandlingConfig {
  const parsed = parseTransformConfig(ERROR_HANDLING_CONFIG_DEF, config);
  return {
    retryTimeoutMs: configNumber(parsed, ERRORS_RETRY_TIMEOUT),
    retryDelayMaxMs: configNumber(parsed, ERRORS_RETRY_DELAY_MAX_MS),
    tolerance: configString(parsed, ERRORS_TOLERANCE)?.toLowerCase() === 'all' ? 'all' : 'none',
    logEnable: configBoolean(parsed, ERRORS_LOG_ENABLE),
    logIncludeMessages: configBoolean(parsed, ERRORS_LOG_INCLUDE_MESSAGES),
    deadLetterQueueTopic: configString(parsed, ERRORS_DLQ_TOPIC_NAME) ?? '',
    deadLetterQueueReplicationFactor: configNumber(parsed, ERRORS_DLQ_REPLICATION_FACTOR),
    deadLetterQueueContextHeaders: configBoolean(parsed, ERRORS_DLQ_CONTEXT_HEADERS_ENABLE),
  };
}
