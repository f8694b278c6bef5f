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

/** kafkajs's errors of a consumer whose group is rebalancing or forgot it: it rejoins by itself. */
export function isGroupRebalanceError(err: unknown): boolean {
  const type = (err as { type?: unknown }).type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID' || type === 'NOT_COORDINATOR';
}
