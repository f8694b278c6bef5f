import { Injectable } from '@nestjs/common';
import { ErrorCode, FetchApi, type FetchRequestData, type FetchResponseInput } from '@millrace/protocol';
import { ReplicaManager } from '../partition/replica-manager';
import type { IsolationLevel } from '../partition/partition-types';
import type { ApiHandler } from './api-handler';

type TopicResponse = FetchResponseInput['responses'][number];
const EMPTY = Buffer.alloc(0);

/**
 * Fetch (1), v4-11, for consumers and (replicaId >= 0) for followers of a clustered
 * partition, which read up to the log end and so report their position to the leader.
 * Only the partition's leader answers (NOT_LEADER_OR_FOLLOWER elsewhere); v9+ requests
 * carrying a current leader epoch are fenced by it (ReplicaManager.leaderFor).
 * Long-polls up to maxWaitMs for minBytes; honours maxBytes and partitionMaxBytes, with
 * the first batch always returned whole (KIP-74). Fetch sessions (KIP-227) are not kept:
 * the answer carries sessionId 0, which tells clients to send full fetches.
 */
@Injectable()
export class FetchHandler implements ApiHandler<typeof FetchApi> {
  readonly api = FetchApi;
  readonly minVersion = 4;
  readonly maxVersion = 11;

  constructor(private readonly replicas: ReplicaManager) {}

  async handle(request: FetchRequestData): Promise<FetchResponseInput> {
    const partitions = request.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch })),
    );
    const results = await this.replicas.fetch({
      maxWaitMs: request.maxWaitMs,
      minBytes: request.minBytes,
      maxBytes: request.maxBytes,
      isolationLevel: request.isolationLevel as IsolationLevel,
      partitions,
      replicaId: request.replicaId,
    });
    const byTopic = new Map<string, TopicResponse>();
    for (const r of results) {
      let t = byTopic.get(r.topic);
      if (!t) byTopic.set(r.topic, (t = { topic: r.topic, partitions: [] }));
      t.partitions.push({
        partitionIndex: r.partition,
        errorCode: r.errorCode,
        highWatermark: r.highWatermark,
        lastStableOffset: r.lastStableOffset,
        logStartOffset: r.logStartOffset,
        abortedTransactions: r.errorCode === ErrorCode.NONE ? (r.abortedTransactions ?? []) : null,
        preferredReadReplica: -1,
        // Empty, never null: librdkafka cannot parse a null record set (Kafka sends length 0).
        records: r.records.length === 0 ? EMPTY : r.records.length === 1 ? r.records[0] : Buffer.concat(r.records),
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [...byTopic.values()] };
  }
}
