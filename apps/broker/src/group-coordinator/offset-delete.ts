import { ErrorCode as E } from '@millrace/protocol';
import { partitionKey } from '../partition/partition-key';
import { CONSUMER_PROTOCOL_TYPE, type Group } from './group';
import { GroupState } from './group-state';
import type { OffsetDeleteInput, OffsetDeleteResult } from './group-coordinator.types';
import type { GroupMetadataManager } from './group-metadata-manager';

/**
 * Which partitions OffsetDelete (API 47) may remove from a group, by Kafka's rules
 * (GroupCoordinator.handleDeleteOffsets):
 * - Empty group: all requested partitions;
 * - a consumer-protocol group with members (PreparingRebalance, CompletingRebalance,
 *   Stable): the partitions of topics it is not subscribed to; those of subscribed
 *   topics get GROUP_SUBSCRIBED_TO_TOPIC;
 * - any other group with members: NON_EMPTY_GROUP for the whole request;
 * - no group, or a Dead one: GROUP_ID_NOT_FOUND.
 * Deleting an offset that was never committed is not an error. `refused` is keyed by
 * partitionKey.
 */
export type OffsetDeletePlan =
  | { groupError: number }
  | { groupError: null; eligible: { topic: string; partition: number }[]; refused: Map<string, number> };

export function planOffsetDeletion(group: Group | undefined, partitions: { topic: string; partition: number }[]): OffsetDeletePlan {
  if (!group || group.is(GroupState.Dead)) return { groupError: E.GROUP_ID_NOT_FOUND };
  if (group.is(GroupState.Empty)) return { groupError: null, eligible: partitions, refused: new Map() };
  if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { groupError: E.NON_EMPTY_GROUP };
  const subscribed = group.subscribedTopics;
  const eligible: { topic: string; partition: number }[] = [];
  const refused = new Map<string, number>();
  for (const p of partitions) {
    if (subscribed !== null && subscribed.has(p.topic)) refused.set(partitionKey(p.topic, p.partition), E.GROUP_SUBSCRIBED_TO_TOPIC);
    else eligible.push(p);
  }
  return { groupError: null, eligible, refused };
}

/**
 * OffsetDelete for a validated request: plans with planOffsetDeletion, appends the
 * tombstones of the eligible partitions (GroupMetadataManager.deleteOffsets) and answers
 * every requested partition: NONE, GROUP_SUBSCRIBED_TO_TOPIC, or COORDINATOR_NOT_AVAILABLE
 * when the append failed (nothing removed then).
 */
export async function deleteGroupOffsets(manager: GroupMetadataManager, input: OffsetDeleteInput, now: number): Promise<OffsetDeleteResult> {
  const group = manager.getGroup(input.groupId);
  const requested = input.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const plan = planOffsetDeletion(group, requested);
  if (plan.groupError !== null) return { errorCode: plan.groupError, topics: [] };
  let appendError: number = E.NONE;
  try {
    await manager.deleteOffsets(group!, plan.eligible, now);
  } catch {
    appendError = E.COORDINATOR_NOT_AVAILABLE;
  }
  return {
    errorCode: E.NONE,
    topics: input.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode: plan.refused.get(partitionKey(t.name, p)) ?? appendError })),
    })),
  };
}
