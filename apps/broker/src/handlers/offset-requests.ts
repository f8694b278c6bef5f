import { ErrorCode, type OffsetDeleteRequestData, type OffsetDeleteResponseInput, type OffsetFetchRequestData, type OffsetFetchResponseInput } from '@millrace/protocol';
import type { GroupCoordinator } from '../group-coordinator';

/**
 * The version-dependent parts of OffsetFetch (9) and OffsetDelete (47), free of Nest so
 * they are unit-tested directly; the handler files only wire them.
 *
 * OffsetFetch v1-8:
 * - topics = null (v2+) fetches every committed partition of the group; an empty array
 *   fetches nothing, as in Kafka. librdkafka 2.x (AdminClient ListConsumerGroupOffsets
 *   without partitions) leaves its topics count unwritten, which reads as an empty
 *   array in v2-5 but as null (compact count 0) in the flexible v6+, so it needs v6+
 *   to get every partition.
 * - require_stable (v7+): partitions with pending transactional commits answer
 *   UNSTABLE_OFFSET_COMMIT.
 * - v8 carries several groups, each with its own error code and topics (null = all).
 */
export function answerOffsetFetch(groups: GroupCoordinator, request: OffsetFetchRequestData, version: number): OffsetFetchResponseInput {
  const requireStable = version >= 7 && request.requireStable;
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: (request.groups ?? []).map((g) => {
        const r = groups.fetchOffsets({ groupId: g.groupId, topics: g.topics, requireStable });
        return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
      }),
    };
  }
  const topics = version < 2 ? (request.topics ?? []) : request.topics;
  const r = groups.fetchOffsets({ groupId: request.groupId, topics, requireStable });
  return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
}

/**
 * OffsetDelete v0. Partitions `isHosted` rejects get UNKNOWN_TOPIC_OR_PARTITION and are
 * listed even when the group itself is refused, as Kafka's KafkaApis does; the rest go
 * to GroupCoordinator.deleteOffsets.
 */
export async function answerOffsetDelete(
  groups: GroupCoordinator,
  isHosted: (topic: string, partition: number) => boolean,
  request: OffsetDeleteRequestData,
): Promise<OffsetDeleteResponseInput> {
  const unknown: OffsetDeleteResponseInput['topics'] = [];
  const known: { name: string; partitionIndexes: number[] }[] = [];
  for (const t of request.topics) {
    const hosted: number[] = [];
    const missing: number[] = [];
    for (const p of t.partitions) (isHosted(t.name, p.partitionIndex) ? hosted : missing).push(p.partitionIndex);
    if (hosted.length > 0) known.push({ name: t.name, partitionIndexes: hosted });
    if (missing.length > 0) unknown.push({ name: t.name, partitions: missing.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
  }
  const r = await groups.deleteOffsets({ groupId: request.groupId, topics: known });
  return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [...r.topics, ...unknown] };
}
