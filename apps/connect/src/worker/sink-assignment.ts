import { topicPartitionKey, type SinkTask, type TopicPartition } from '@millrace/connect-sdk';

/**
 * The partitions a sink task holds, kept in step with the consumer group's assignment.
 *
 * Contracts: `update` revokes from the task what the new assignment dropped
 * (`partitionsRevoked`) and hands it what was added (`partitionsAssigned`); the offsets
 * the task returns (exactly-once sinks keep them in their destination) are sought
 * through `seek` and remembered as targets: `admits` drops a batch of that partition
 * that starts before its target (fetched before the seek took effect) until a batch
 * reaches it; a partition kept by a new assignment before that is sought there again
 * (the consumer's new generation starts it from the group's committed offset); `targetOf`
 * tells the runner where to seek again when a batch that is not stale starts before it
 * (the consumer's position fell below the target without a seek pending). `revokeAll`
 * empties the set (the consumer left the group).
 */
export class SinkAssignment {
  private assigned: TopicPartition[] = [];
  /** Offsets the task asked to start from, by topic-partition key, until a batch reaches them. */
  private readonly seekTargets = new Map<string, number>();

  /** `debug`: where the targets set, re-sought and reached are logged (off when undefined). */
  constructor(
    private readonly task: SinkTask,
    private readonly debug?: (message: string) => void,
  ) {}

  get partitions(): readonly TopicPartition[] {
    return this.assigned;
  }

  /** Applies the group's new assignment (topic -> partitions). */
  async update(assignment: Record<string, number[]>, seek: (tp: TopicPartition, offset: number) => void): Promise<void> {
    const now: TopicPartition[] = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    const nowKeys = new Set(now.map(topicPartitionKey));
    const oldKeys = new Set(this.assigned.map(topicPartitionKey));
    const revoked = this.assigned.filter((tp) => !nowKeys.has(topicPartitionKey(tp)));
    const added = now.filter((tp) => !oldKeys.has(topicPartitionKey(tp)));
    this.assigned = now;
    for (const tp of revoked) this.seekTargets.delete(topicPartitionKey(tp));
    // Kept partitions whose sought offset no batch reached yet: the consumer's new generation starts them from the
    // group's committed offsets (eager rebalancing), below the target, and `admits` would drop their batches forever.
    for (const tp of now) {
      const target = oldKeys.has(topicPartitionKey(tp)) ? this.seekTargets.get(topicPartitionKey(tp)) : undefined;
      if (target !== undefined) {
        this.debug?.(`sink assignment: ${topicPartitionKey(tp)} kept, its target ${target} not reached yet: sought again`);
        seek(tp, target);
      }
    }
    if (revoked.length > 0) await this.task.partitionsRevoked(revoked);
    if (added.length > 0) {
      const offsets = await this.task.partitionsAssigned(added);
      for (const tp of added) {
        const offset = offsets.get(topicPartitionKey(tp));
        this.debug?.(`sink assignment: ${topicPartitionKey(tp)} assigned, the task's offset: ${offset ?? 'none (the group offset)'}`);
        if (offset !== null && offset !== undefined) {
          this.seekTargets.set(topicPartitionKey(tp), offset);
          seek(tp, offset);
        }
      }
    }
  }

  /** Drops every partition; revokes them from the task unless `notify` is false (it failed). */
  async revokeAll(notify: boolean): Promise<void> {
    const revoked = this.assigned;
    this.assigned = [];
    this.seekTargets.clear();
    if (revoked.length > 0 && notify) await this.task.partitionsRevoked(revoked);
  }

  /** The offset the task asked `tp` to start from, while no batch reached it yet (undefined: none). */
  targetOf(tp: TopicPartition): number | undefined {
    return this.seekTargets.get(topicPartitionKey(tp));
  }

  /** False for a batch of `tp` starting before the offset the task asked for; the first batch reaching it clears the target. */
  admits(tp: TopicPartition, firstOffset: number | null): boolean {
    const key = topicPartitionKey(tp);
    const target = this.seekTargets.get(key);
    if (target === undefined) return true;
    if ((firstOffset ?? target) < target) return false;
    this.debug?.(`sink assignment: ${key} reached its target ${target} (batch from ${firstOffset})`);
    this.seekTargets.delete(key);
    return true;
  }
}
