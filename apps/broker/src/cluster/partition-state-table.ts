import type { PartitionState } from '@millrace/cluster-metadata';
import type { LeadershipSource } from '../partition/partition-leadership';

/**
 * This broker's in-memory copy of the cluster's partition records (leader, leader epoch,
 * ISR per partition), fed by the catalogue watch (ClusterCatalogueSync). Metadata
 * answers from it and the ReplicaManager decides leadership by it. Always empty on the
 * single broker.
 */
export class PartitionStateTable implements LeadershipSource {
  private readonly states = new Map<string, Map<number, PartitionState>>();

  constructor(readonly nodeId: number) {}

  leadershipOf(topic: string, partition: number): PartitionState | undefined {
    return this.states.get(topic)?.get(partition);
  }

  set(topic: string, partition: number, state: PartitionState): void {
    let t = this.states.get(topic);
    if (!t) this.states.set(topic, (t = new Map()));
    t.set(partition, state);
  }

  /** How many partitions the records name `nodeId` leader of. */
  ledBy(nodeId: number): number {
    let n = 0;
    for (const t of this.states.values()) for (const s of t.values()) if (s.leader === nodeId) n++;
    return n;
  }

  delete(topic: string, partition: number): void {
    const t = this.states.get(topic);
    t?.delete(partition);
    if (t?.size === 0) this.states.delete(topic);
  }
}
