/**
 * Manual replica assignments for new partitions (CreatePartitions `assignments`), checked
 * as Kafka's controller checks them (ReplicationControlManager.createPartitions and
 * validateManualPartitionAssignment): one assignment per added partition, each a
 * non-empty list of distinct, registered broker ids whose length equals the topic's
 * replication factor. On this single-broker cluster the only registered broker is
 * `nodeId`, so the one valid assignment is `[nodeId]` (replication factor 1).
 *
 * Returns null when the assignments are acceptable (or absent), else the message of the
 * INVALID_REPLICA_ASSIGNMENT error to answer with.
 */
export function newPartitionAssignmentProblem(
  assignments: ReadonlyArray<{ brokerIds: readonly number[] }> | null | undefined,
  additionalPartitions: number,
  replicationFactor: number,
  nodeId: number,
): string | null {
  if (assignments === null || assignments === undefined) return null;
  if (assignments.length !== additionalPartitions) {
    return `Attempted to add ${additionalPartitions} additional partition(s), but ${assignments.length} assignment(s) were specified.`;
  }
  for (const { brokerIds } of assignments) {
    if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.';
    const seen = new Set<number>();
    for (const id of brokerIds) {
      if (seen.has(id)) return `The manual partition assignment includes the broker ${id} more than once.`;
      seen.add(id);
      if (id !== nodeId) return `The manual partition assignment includes broker ${id}, but no such broker is registered (this cluster has broker ${nodeId} only).`;
    }
    if (brokerIds.length !== replicationFactor) {
      return `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`;
    }
  }
  return null;
}
