import type { TopicPartition } from '@millrace/connect-sdk';
import type { Consumer, Kafka } from 'kafkajs';
import type { SinkConsumerConfig } from './sink-consumer-config';

/**
 * max.partition.fetch.bytes of the sink consumer (Kafka's default is 1 MiB): 16 MiB is
 * ~120k rows of the copy benchmark, so the fetch round trip, flush and offset commit of
 * each batch are spread over more rows (4 MiB measured ~20% slower end to end).
 */
export const SINK_FETCH_PARTITION_BYTES = 16 << 20;
/** fetch.max.bytes of the sink consumer: two partitions' worth (the decoded records of one fetch are in memory at once). */
export const SINK_FETCH_BYTES = 2 * SINK_FETCH_PARTITION_BYTES;

/**
 * The consumer of a sink task: a member of the group `connect-<connector>` with the
 * connector's session/rebalance settings, no topic auto-creation, and fetches of up to
 * SINK_FETCH_PARTITION_BYTES per partition and SINK_FETCH_BYTES in all (bigger fetches
 * make bigger batches: one fetch round trip, flush and offset commit per batch).
 */
export function createSinkConsumer(kafka: Kafka, connector: string, c: SinkConsumerConfig): Consumer {
  return kafka.consumer({
    groupId: `connect-${connector}`,
    sessionTimeout: c.sessionTimeoutMs,
    heartbeatInterval: c.heartbeatIntervalMs,
    rebalanceTimeout: c.rebalanceTimeoutMs,
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: SINK_FETCH_PARTITION_BYTES,
    maxBytes: SINK_FETCH_BYTES,
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
