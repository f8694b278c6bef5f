import { ConfigError, parseEnv } from '@millrace/app-common';
import { z } from 'zod';

/**
 * Transaction coordinator settings (Kafka's names, MILLRACE_ prefix, read from the
 * environment at start-up like BrokerConfig):
 *
 *   MILLRACE_TRANSACTION_MAX_TIMEOUT_MS                 transaction.max.timeout.ms (900000): larger
 *                                                       transaction.timeout.ms get INVALID_TRANSACTION_TIMEOUT
 *   MILLRACE_TRANSACTIONAL_ID_EXPIRATION_MS             transactional.id.expiration.ms (604800000, 7 d)
 *   MILLRACE_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS   (10000)
 *   MILLRACE_TRANSACTION_REMOVE_EXPIRED_TRANSACTIONAL_ID_CLEANUP_INTERVAL_MS (3600000)
 *   MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS       transaction.state.log.num.partitions (50)
 *   MILLRACE_TRANSACTION_STATE_LOG_REPLICATION_FACTOR   transaction.state.log.replication.factor (3): a
 *                                                       cluster's topic gets min(this, live brokers) replicas
 *   MILLRACE_TRANSACTION_STATE_LOG_MIN_ISR              transaction.state.log.min.isr (2, capped at the
 *                                                       replication factor): the topic's min.insync.replicas
 *   MILLRACE_TXN_MARKER_DELAY_MS                        fault injection for tests (0): wait this long
 *                                                       between writing Prepare* and the markers
 */
export interface TransactionConfig {
  transactionMaxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  abortTimedOutTransactionsIntervalMs: number;
  removeExpiredTransactionalIdsIntervalMs: number;
  stateLogNumPartitions: number;
  stateLogReplicationFactor: number;
  stateLogMinIsr: number;
  markerDelayMs: number;
  /** Back-off before markers that failed (partition offline) are written again. */
  markerRetryBackoffMs: number;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  MILLRACE_TRANSACTION_MAX_TIMEOUT_MS: int(1, 2 ** 31 - 1).default(900_000),
  MILLRACE_TRANSACTIONAL_ID_EXPIRATION_MS: int(1, 2 ** 31 - 1).default(604_800_000),
  MILLRACE_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS: int(1).default(10_000),
  MILLRACE_TRANSACTION_REMOVE_EXPIRED_TRANSACTIONAL_ID_CLEANUP_INTERVAL_MS: int(1).default(3_600_000),
  MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: int(1, 1000).default(50),
  MILLRACE_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: int(1, 32767).default(3),
  MILLRACE_TRANSACTION_STATE_LOG_MIN_ISR: int(1, 32767).default(2),
  MILLRACE_TXN_MARKER_DELAY_MS: int(0).default(0),
});

export const DEFAULT_TRANSACTION_CONFIG: TransactionConfig = {
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  abortTimedOutTransactionsIntervalMs: 10_000,
  removeExpiredTransactionalIdsIntervalMs: 3_600_000,
  stateLogNumPartitions: 50,
  stateLogReplicationFactor: 3,
  stateLogMinIsr: 2,
  markerDelayMs: 0,
  markerRetryBackoffMs: 1000,
};

/** Parses the transaction settings; throws ConfigError naming every bad variable. */
export function loadTransactionConfig(env: NodeJS.ProcessEnv = process.env): TransactionConfig {
  const e = parseEnv(schema, env);
  return {
    transactionMaxTimeoutMs: e.MILLRACE_TRANSACTION_MAX_TIMEOUT_MS,
    transactionalIdExpirationMs: e.MILLRACE_TRANSACTIONAL_ID_EXPIRATION_MS,
    abortTimedOutTransactionsIntervalMs: e.MILLRACE_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS,
    removeExpiredTransactionalIdsIntervalMs: e.MILLRACE_TRANSACTION_REMOVE_EXPIRED_TRANSACTIONAL_ID_CLEANUP_INTERVAL_MS,
    stateLogNumPartitions: e.MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS,
    stateLogReplicationFactor: e.MILLRACE_TRANSACTION_STATE_LOG_REPLICATION_FACTOR,
    stateLogMinIsr: e.MILLRACE_TRANSACTION_STATE_LOG_MIN_ISR,
    markerDelayMs: e.MILLRACE_TXN_MARKER_DELAY_MS,
    markerRetryBackoffMs: DEFAULT_TRANSACTION_CONFIG.markerRetryBackoffMs,
  };
}

export { ConfigError };

/** Nest injection token for the TransactionConfig. */
export const TRANSACTION_CONFIG = Symbol('TRANSACTION_CONFIG');
