import { ErrorCode as E } from '@millrace/protocol';
import type { GroupLogRecord } from './group-log';
import type { GroupMetadataManager } from './group-metadata-manager';
import type { LoadSummary } from './group-coordinator.types';
import type { GroupRebalancer } from './group-rebalancer';
import { PartitionOwnership } from './partition-ownership';

/**
 * Cluster mode of the group coordinator: groups are loaded and unloaded one
 * `__consumer_offsets` partition at a time, as this broker gains and loses that
 * partition's leadership (Kafka's GroupMetadataManager.loadGroupsForPartition /
 * removeGroupsForPartition).
 */
export class GroupPartitionLoading {
  readonly ownership = new PartitionOwnership();

  constructor(
    private readonly manager: GroupMetadataManager,
    private readonly rebalancer: GroupRebalancer,
    private readonly isActive: () => boolean,
  ) {}

  /**
   * This broker became the leader of `partition` (of `numPartitions`): its groups are
   * rebuilt from `records` (that partition's log, in order) while they answer
   * COORDINATOR_LOAD_IN_PROGRESS, then served. Null when the partition was given up (or
   * elected again) before loading ended.
   */
  async load(partition: number, records: Iterable<GroupLogRecord> | AsyncIterable<GroupLogRecord>, numPartitions: number): Promise<LoadSummary | null> {
    if (!this.isActive()) return null;
    this.manager.usePartitionCount(numPartitions);
    this.dropGroupsOf(partition);
    const term = this.ownership.beginLoad(partition);
    const { groups, summary } = await this.manager.readLog(records);
    if (!this.isActive() || !this.ownership.isCurrent(partition, term)) return null;
    for (const group of groups) {
      if (this.manager.partitionFor(group.groupId) !== partition) continue;
      const cached = this.manager.addGroup(group);
      if (cached !== group) continue;
      for (const member of group.members.values()) this.rebalancer.scheduleHeartbeatExpiration(group, member);
    }
    this.ownership.finishLoad(partition, term);
    return summary;
  }

  /**
   * Another broker leads `partition` now: its groups leave the cache (pending
   * JoinGroup/SyncGroup answered NOT_COORDINATOR, timers cancelled) and their requests get
   * NOT_COORDINATOR. Returns how many groups left.
   */
  unload(partition: number): number {
    this.ownership.release(partition);
    return this.dropGroupsOf(partition);
  }

  private dropGroupsOf(partition: number): number {
    let n = 0;
    for (const group of this.manager.allGroups()) {
      if (this.manager.partitionFor(group.groupId) !== partition) continue;
      this.rebalancer.cancelAll(group, E.NOT_COORDINATOR);
      this.manager.removeGroup(group);
      n++;
    }
    return n;
  }
}
