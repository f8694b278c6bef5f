/**
 * Manual replica assignments for new partitions (CreateTopics `assignments`,
 * CreatePartitions `assignments`), checked as Kafka's controller checks them
 * (ReplicationControlManager.createPartitions and validateManualPartitionAssignment): one
 * assignment per new partition, each a non-empty list of distinct, registered broker ids
 * whose length equals the topic's replication factor. `registered` lists the live
 * brokers: the single broker alone, or every broker registered in the cluster.
 *
 * Returns null when the assignments are acceptable (or absent), else the message of the
 * INVALID_REPLICA_ASSIGNMENT error to answer with.
 */
export function newPartitionAssignmentProblem(
  assignments: ReadonlyArray<{ brokerIds: readonly number[] }> | null | undefined,
  additionalPartitions: number,
  replicationFactor: number,
  registered: number | readonly number[],
): string | null {
  if (assignments === null || assignments === undefined) return null;
  if (assignments.length !== additionalPartitions) {
    return `Attempted to add ${additionalPartitions} additional partition(s), but ${assignments.length} assignment(s) were specified.`;
  }
  for (const { brokerIds } of assignments) {
    const problem = replicaListProblem(brokerIds, registered);
    if (problem !== null) return problem;
    if (brokerIds.length !== replicationFactor) {
      return `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`;
    }
  }
  return null;
}

/** One partition's manual replica list: non-empty, distinct, every broker registered; null when acceptable. */
export function replicaListProblem(brokerIds: readonly number[], registered: number | readonly number[]): string | null {
  const live = typeof registered === 'number' ? [registered] : registered;
  if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const seen = new Set<number>();
  for (const id of brokerIds) {
    if (seen.has(id)) return `The manual partition assignment includes the broker ${id} more than once.`;
    seen.add(id);
    if (!live.includes(id)) {
      const which = live.length === 1 ? `this cluster has broker ${live[0]} only` : `registered brokers: ${live.join(', ')}`;
      return `The manual partition assignment includes broker ${id}, but no such broker is registered (${which}).`;
    }
  }
  return null;
}
