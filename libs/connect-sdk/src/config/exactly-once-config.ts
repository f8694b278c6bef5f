import { atLeast, oneOf } from './common-validators';
import type { ConfigKey } from './config-def';

export const EXACTLY_ONCE_SUPPORT_CONFIG = 'exactly.once.support';
export const TRANSACTION_BOUNDARY_CONFIG = 'transaction.boundary';
export const TRANSACTION_BOUNDARY_INTERVAL_CONFIG = 'transaction.boundary.interval.ms';
export const EXACTLY_ONCE_GROUP = 'Exactly Once Support';

/** `exactly.once.support`: whether the connector may run without exactly-once delivery. */
export type ExactlyOnceSupport = 'requested' | 'required';
/** `transaction.boundary`: where a source task's transactions end (KIP-618). */
export type TransactionBoundary = 'poll' | 'interval' | 'connector';

/**
 * Kafka Connect's exactly-once keys of a source connector (KIP-618), with Kafka's names,
 * defaults and values (case-insensitive):
 * - `exactly.once.support` = requested (default: exactly once when the worker has it
 *   enabled) | required (the connector fails validation on a worker without it);
 * - `transaction.boundary` = poll (default: one transaction per batch the task returns)
 *   | interval (one per `transaction.boundary.interval.ms`) | connector (the connector
 *   defines them; no Millrace connector does, so it is refused at validation).
 */
export function exactlyOnceSourceKeys(): ConfigKey[] {
  return [
    {
      name: EXACTLY_ONCE_SUPPORT_CONFIG,
      type: 'STRING',
      default: 'requested',
      importance: 'MEDIUM',
      documentation: 'Permitted values are requested, required. "required": validation fails unless the worker runs source tasks exactly once (exactly.once.source.support=enabled).',
      validator: oneOf(['requested', 'required'], true),
      group: EXACTLY_ONCE_GROUP,
      orderInGroup: 1,
      width: 'SHORT',
      displayName: 'Exactly once support',
    },
    {
      name: TRANSACTION_BOUNDARY_CONFIG,
      type: 'STRING',
      default: 'poll',
      importance: 'MEDIUM',
      documentation: 'Permitted values are poll, interval, connector. "poll": every batch the task returns is committed in its own transaction; "interval": transactions are committed every transaction.boundary.interval.ms; "connector": the connector defines them.',
      validator: oneOf(['poll', 'interval', 'connector'], true),
      group: EXACTLY_ONCE_GROUP,
      orderInGroup: 2,
      width: 'SHORT',
      displayName: 'Transaction boundary',
    },
    {
      name: TRANSACTION_BOUNDARY_INTERVAL_CONFIG,
      type: 'LONG',
      default: null,
      importance: 'LOW',
      documentation: 'With transaction.boundary=interval, how often transactions are committed (default: the offset commit interval, 60000 ms).',
      validator: atLeast(0),
      group: EXACTLY_ONCE_GROUP,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Transaction boundary interval',
    },
  ];
}
