import type { GroupCoordinator } from '../group-coordinator';
import type { ReplicaManager } from '../partition/replica-manager';

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  highWatermark: number;
  /** highWatermark - committedOffset; null when the partition is not hosted here. */
  lag: number | null;
}

/** Committed offset and lag of every partition a group has committed. */
export function groupLag(groups: GroupCoordinator, replicas: ReplicaManager, groupId: string): PartitionLag[] {
  const fetched = groups.fetchOffsets({ groupId, topics: null });
  const out: PartitionLag[] = [];
  for (const t of fetched.topics) {
    for (const p of t.partitions) {
      if (p.committedOffset < 0) continue;
      const hw = replicas.getPartition(t.name, p.partitionIndex)?.highWatermark;
      out.push({
        topic: t.name,
        partition: p.partitionIndex,
        committedOffset: p.committedOffset,
        highWatermark: hw ?? -1,
        lag: hw === undefined ? null : Math.max(0, hw - p.committedOffset),
      });
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
