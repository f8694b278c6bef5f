import type { IsolationLevel } from '../fetched-records';
import type { GroupBatchPayload } from './group-consumer-types';
import type { CoordinatorLink } from './group-membership';
import type { OpenBroker } from './leader-routes';
import type { GroupConsumerLogger } from './partition-trace';

/** The settings of a GroupConsumer. */
export interface GroupConsumerOptions {
  /** host:port list. */
  readonly bootstrap: readonly string[];
  readonly groupId: string;
  readonly clientId?: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** What JoinGroup announces as the rebalance timeout (Kafka's max.poll.interval.ms). */
  readonly rebalanceTimeoutMs: number;
  /** Fetch long-poll (max_wait_ms); default 500. */
  readonly maxWaitMs?: number;
  readonly maxBytesPerPartition: number;
  readonly maxBytes: number;
  /** Default read_committed (kafkajs's default, and what exactly-once sources need). */
  readonly isolationLevel?: IsolationLevel;
  /** Cluster errors as warnings; with `debug`, every per-partition decision (PartitionTrace). */
  readonly logger?: GroupConsumerLogger;
  /**
   * How long a request may wait for its answer (default 30 s, Kafka's request.timeout.ms;
   * a Fetch waits `maxWaitMs` more, JoinGroup/SyncGroup the rebalance timeout + 5 s): then
   * its connection is closed and the request retried, so a broker that stopped answering
   * does not hold the consumer.
   */
  readonly requestTimeoutMs?: number;
  /** The group coordinator's connection; default FindCoordinator on `bootstrap` (a seam for unit tests). */
  readonly openCoordinator?: () => Promise<CoordinatorLink>;
  /** Opens a connection to a broker; default KafkaConnection.open (a seam for unit tests). */
  readonly openBroker?: OpenBroker;
}

export type EachGroupBatch = (payload: GroupBatchPayload) => Promise<void>;

export interface GroupRunOptions {
  readonly eachBatch: EachGroupBatch;
  /** Accepted for kafkajs's shape; offsets are only ever committed by `commitOffsets`. */
  readonly autoCommit?: boolean;
  /** Accepted for kafkajs's shape; the position moves only past what `resolveOffset` resolved. */
  readonly eachBatchAutoResolve?: boolean;
  /**
   * Kafka's onPartitionsRevoked: awaited before each JoinGroup of a member that still
   * holds its generation and partitions (eager rebalancing revokes them all), after the
   * batch in hand and before any REBALANCING event. The coordinator still accepts this
   * generation's offset commits meanwhile, so what was applied can be committed before
   * the partitions go to another member; heartbeats go on. A failure is logged and the
   * member joins anyway. Not called when the generation is already lost
   * (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID: commits would be refused).
   */
  readonly beforeRejoin?: () => Promise<void>;
}
