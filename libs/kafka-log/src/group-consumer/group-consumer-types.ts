/** A consumed record in kafkajs's RecordBatchEntry shape (offsets and timestamps as decimal strings), so the sink path takes either client's. */
export interface GroupMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  attributes: number;
  offset: string;
  headers: Record<string, Buffer>;
}

/** The records of one partition from one fetch, in offset order (kafkajs's Batch subset). */
export interface GroupBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: GroupMessage[];
  firstOffset(): string | null;
  lastOffset(): string;
}

/** What `eachBatch` gets (kafkajs's EachBatchPayload subset, same meanings). */
export interface GroupBatchPayload {
  readonly batch: GroupBatch;
  /** The consumer continues after `offset` (eachBatchAutoResolve false: unresolved records are fetched again). */
  resolveOffset(offset: string): void;
  /** Sends a heartbeat if one is due; never throws (a rebalance shows at the next commit or fetch). */
  heartbeat(): Promise<void>;
  /** Pauses this batch's partition. */
  pause(): () => void;
  isRunning(): boolean;
  /** True once the group rebalanced or the partition was sought or revoked since this batch was fetched. */
  isStale(): boolean;
}

export interface GroupTopicPartitions {
  topic: string;
  partitions: number[];
}

/** Event names as kafkajs's consumer.events. */
export const GROUP_CONSUMER_EVENTS = { REBALANCING: 'consumer.rebalancing', GROUP_JOIN: 'consumer.group_join' } as const;

/** The GROUP_JOIN event: this member's new assignment (topic -> partitions). */
export interface GroupJoinEvent {
  payload: { memberAssignment: Record<string, number[]>; generationId: number; memberId: string };
}

/** A request to the cluster failed (connection lost, leader moved, coordinator moving): retriable, as kafkajs's retriable errors. */
export class GroupConsumerError extends Error {
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GroupConsumerError';
  }
}
