import type { TopicPartition } from '@millrace/connect-sdk';
import type { Consumer, Kafka } from 'kafkajs';
import type { SinkConsumerConfig } from './sink-consumer-config';

/** max.partition.fetch.bytes of the sink consumer (Kafka's default is 1 MiB). */
export const SINK_FETCH_PARTITION_BYTES = 4 << 20;

/**
 * The consumer of a sink task: a member of the group `connect-<connector>` with the
 * connector's session/rebalance settings, no topic auto-creation, and fetches of up to
 * SINK_FETCH_PARTITION_BYTES per partition (bigger fetches make bigger batches: one
 * database transaction and one offset commit per batch).
 */
export function createSinkConsumer(kafka: Kafka, connector: string, c: SinkConsumerConfig): Consumer {
  return kafka.consumer({
    groupId: `connect-${connector}`,
    sessionTimeout: c.sessionTimeoutMs,
    heartbeatInterval: c.heartbeatIntervalMs,
    rebalanceTimeout: c.rebalanceTimeoutMs,
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: SINK_FETCH_PARTITION_BYTES,
    maxBytes: 4 * SINK_FETCH_PARTITION_BYTES,
    allowAutoTopicCreation: false,
  });
}

/** Topic-partitions in kafkajs's pause/resume shape. */
export function groupByTopic(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const map = new Map<string, number[]>();
  for (const tp of tps) map.set(tp.topic, [...(map.get(tp.topic) ?? []), tp.partition]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

const REJOIN_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR']);

/**
 * kafkajs's errors of a consumer whose group is rebalancing or forgot it: it rejoins by
 * itself. kafkajs wraps the protocol error of a commit (e.g. UNKNOWN_MEMBER_ID after the
 * session expired) in a KafkaJSNonRetriableError whose `cause` holds it: the chain is walked.
 */
export function isGroupRebalanceError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (REJOIN_TYPES.has(String((e as { type?: unknown }).type))) return true;
  }
  return false;
}
