import type { TopicPartition } from '@millrace/connect-sdk';
import { GroupConsumer, type GroupConsumerLogger } from '@millrace/kafka-log';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { SinkConsumerConfig } from './sink-consumer-config';

/** A consumed message as the sink path reads it (kafkajs's KafkaMessage and the own client's GroupMessage both are). */
export interface SinkMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** One partition's fetched records handed to the sink runner (kafkajs's EachBatchPayload subset, same meanings). */
export interface SinkBatchPayload {
  readonly batch: {
    readonly topic: string;
    readonly partition: number;
    readonly highWatermark: string;
    readonly messages: SinkMessage[];
    firstOffset(): string | null;
    lastOffset(): string;
  };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * The group consumer of a sink task: the subset of kafkajs's Consumer the runner uses,
 * implemented by kafkajs itself and by the project's GroupConsumer (libs/kafka-log).
 */
export interface SinkConsumer {
  readonly events: { readonly REBALANCING: string; readonly GROUP_JOIN: string };
  on(event: string, listener: (event: { payload: { memberAssignment: Record<string, number[]> } }) => void): unknown;
  connect(): Promise<void>;
  subscribe(s: { topics: string[]; fromBeginning: boolean }): Promise<void>;
  /**
   * `beforeRejoin` (the project's GroupConsumer; kafkajs has no such hook and ignores it)
   * runs before the member sends JoinGroup, while its generation's offset commits are
   * still accepted: Kafka's onPartitionsRevoked.
   */
  run(r: { autoCommit: boolean; eachBatchAutoResolve: boolean; eachBatch: (payload: SinkBatchPayload) => Promise<void>; beforeRejoin?: () => Promise<void> }): Promise<void>;
  pause(tps: { topic: string; partitions: number[] }[]): void;
  resume(tps: { topic: string; partitions: number[] }[]): void;
  seek(s: { topic: string; partition: number; offset: string }): void;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Which client implements the sink consumer: MILLRACE_SINK_CONSUMER=`protocol` (the
 * default: the project's GroupConsumer over libs/protocol, ~20% less connect CPU per row
 * than kafkajs, and it commits what the sink flushed before it rejoins the group) or
 * `kafkajs`. The one place the choice is made; a bad value throws naming the setting.
 */
export type SinkConsumerKind = 'protocol' | 'kafkajs';

export function sinkConsumerKind(env: Readonly<Record<string, string | undefined>> = process.env): SinkConsumerKind {
  const raw = (env['MILLRACE_SINK_CONSUMER'] ?? '').trim();
  if (raw === '') return 'protocol';
  if (raw === 'protocol' || raw === 'kafkajs') return raw;
  throw new Error(`MILLRACE_SINK_CONSUMER must be "protocol" or "kafkajs", got "${raw}"`);
}

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
export function createSinkConsumer(
  client: { readonly kafka: Kafka; readonly bootstrap?: readonly string[]; readonly logger?: GroupConsumerLogger; readonly kind?: SinkConsumerKind },
  connector: string,
  c: SinkConsumerConfig,
): SinkConsumer {
  const kind = client.kind ?? sinkConsumerKind();
  if (kind === 'protocol' && client.bootstrap && client.bootstrap.length > 0) {
    return new GroupConsumer({
      bootstrap: client.bootstrap,
      groupId: `connect-${connector}`,
      clientId: `millrace-connect-sink-${connector}`,
      sessionTimeoutMs: c.sessionTimeoutMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs,
      rebalanceTimeoutMs: c.rebalanceTimeoutMs,
      maxWaitMs: 500,
      maxBytesPerPartition: SINK_FETCH_PARTITION_BYTES,
      maxBytes: SINK_FETCH_BYTES,
      isolationLevel: 'read_committed',
      logger: client.logger,
    });
  }
  return client.kafka.consumer({
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

/**
 * Where the sink consumer's per-partition decisions go (seeks, start positions, batches
 * admitted, skipped or left unresolved, pauses — the GroupConsumer's and the runner's):
 * with MILLRACE_SINK_CONSUMER_DEBUG=true they are logged at info level (no need to turn
 * the whole worker to debug), else at debug level when the logger has it on; otherwise
 * undefined (nothing is built).
 */
export function sinkDebugLog(logger: Logger, env: Readonly<Record<string, string | undefined>> = process.env): ((message: string) => void) | undefined {
  if ((env['MILLRACE_SINK_CONSUMER_DEBUG'] ?? '').trim().toLowerCase() === 'true') return (message) => logger.info({ sinkConsumerDebug: true }, message);
  if (logger.isLevelEnabled('debug')) return (message) => logger.debug(message);
  return undefined;
}

/** Topic-partitions in kafkajs's pause/resume shape. */
export function groupByTopic(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const map = new Map<string, number[]>();
  for (const tp of tps) map.set(tp.topic, [...(map.get(tp.topic) ?? []), tp.partition]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

const REJOIN_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR', 'FENCED_INSTANCE_ID']);

/**
 * kafkajs's (and GroupConsumer's GroupError) errors of a consumer whose group is
 * rebalancing or forgot it: it rejoins by itself. kafkajs wraps the protocol error of a commit (e.g. UNKNOWN_MEMBER_ID after the
 * session expired) in a KafkaJSNonRetriableError whose `cause` holds it: the chain is walked.
 */
export function isGroupRebalanceError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (REJOIN_TYPES.has(String((e as { type?: unknown }).type))) return true;
  }
  return false;
}
