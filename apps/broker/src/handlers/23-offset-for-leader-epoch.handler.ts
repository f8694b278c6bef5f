import { Injectable } from '@nestjs/common';
import { ErrorCode, OffsetForLeaderEpochApi, type OffsetForLeaderEpochRequestData, type OffsetForLeaderEpochResponseInput } from '@millrace/protocol';
import { ReplicaManager } from '../partition/replica-manager';
import type { ApiHandler } from './api-handler';

type PartitionAnswer = OffsetForLeaderEpochResponseInput['topics'][number]['partitions'][number];

/**
 * OffsetForLeaderEpoch (23), v0-4: for each partition, the largest leader epoch this
 * leader knows at or below the requested one and the offset where that epoch ended
 * (the log end for the current epoch), from the log's leader-epoch-checkpoint
 * (libs/storage leader-epoch-cache.ts). Consumers use it to detect a truncated log
 * after a leader change (KIP-320); followers to truncate a divergent tail.
 *
 * currentLeaderEpoch (v2+, -1 = not given) is checked first, as Kafka's leader does:
 * below this leader's epoch FENCED_LEADER_EPOCH, above it UNKNOWN_LEADER_EPOCH.
 * Partitions this broker does not host: UNKNOWN_TOPIC_OR_PARTITION, or
 * NOT_LEADER_OR_FOLLOWER when the cluster has them but another broker leads.
 */
@Injectable()
export class OffsetForLeaderEpochHandler implements ApiHandler<typeof OffsetForLeaderEpochApi> {
  readonly api = OffsetForLeaderEpochApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(private readonly replicas: ReplicaManager) {}

  handle(request: OffsetForLeaderEpochRequestData): OffsetForLeaderEpochResponseInput {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => this.answer(t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch)),
      })),
    };
  }

  private answer(topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number): PartitionAnswer {
    const fail = (errorCode: number): PartitionAnswer => ({ errorCode, partition, leaderEpoch: -1, endOffset: -1 });
    const { partition: p, errorCode } = this.replicas.leaderFor(topic, partition, currentLeaderEpoch);
    if (!p) return fail(errorCode);
    const end = p.log.leaderEpochs.cache.endOffsetFor(leaderEpoch, p.logEndOffset);
    return { errorCode: ErrorCode.NONE, partition, leaderEpoch: end.epoch, endOffset: end.startOffset };
  }
}
