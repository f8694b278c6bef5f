import { CommittedOffset } from './committed-offsets';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  GroupMetadataValue,
} from './consumer-offsets-format';
import { Group, GroupState } from './group';
import { GroupLog, GroupLogRecord } from './group-log';
import { partitionForGroup } from './group-partitioner';
import { LoadSummary } from './group-coordinator.types';

/**
 * The group cache and its persistence in `__consumer_offsets` (Kafka's
 * GroupMetadataManager): which groups exist, their committed offsets, and the records
 * that make both survive a restart.
 *
 * Durability rule: in-memory state that clients are told about changes only after the
 * corresponding `GroupLog.append` resolved — `storeGroup` / `storeOffsets` reject (and
 * change nothing) when the append fails. Removals done by expiration and deletion are
 * applied in memory at once and their tombstones appended after (as Kafka does).
 */
export class GroupMetadataManager {
  private readonly groups = new Map<string, Group>();
  /** Increases with every offset-commit append issued; orders overlapping commits. */
  private commitSeq = 0;

  constructor(
    private readonly log: GroupLog,
    private readonly numPartitions: number,
  ) {}

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.numPartitions);
  }

  getGroup(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  /** Adds `group` unless one with its id exists; returns the group in the cache. */
  addGroup(group: Group): Group {
    const existing = this.groups.get(group.groupId);
    if (existing) return existing;
    this.groups.set(group.groupId, group);
    return group;
  }

  /** Removes `group` from the cache if it is the cached instance. */
  removeGroup(group: Group): void {
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  allGroups(): Group[] {
    return [...this.groups.values()];
  }

  /**
   * Rebuilds groups from `__consumer_offsets` records, given in log order (all partitions,
   * any interleaving between partitions). For each key the last record wins; a null value
   * deletes. A group with offsets but no metadata record is an Empty group without a
   * protocol type (a "simple" consumer group). Replaces nothing already cached; returns
   * the groups built (the caller adds them and arms their timers).
   */
  async readLog(
    records: Iterable<GroupLogRecord> | AsyncIterable<GroupLogRecord>,
  ): Promise<{ groups: Group[]; summary: LoadSummary }> {
    const metadata = new Map<string, GroupMetadataValue | null>();
    const offsets = new Map<string, Map<string, { topic: string; partition: number; value: CommittedOffset }>>();
    let skipped = 0;
    for await (const rec of records) {
      try {
        const key = decodeKey(rec.key);
        if (key === null) {
          skipped++;
        } else if (key.type === 'group') {
          metadata.set(key.group, rec.value === null ? null : decodeGroupMetadataValue(rec.value));
        } else {
          let perGroup = offsets.get(key.group);
          if (!perGroup) {
            perGroup = new Map();
            offsets.set(key.group, perGroup);
          }
          const k = `${key.partition}:${key.topic}`;
          if (rec.value === null) perGroup.delete(k);
          else perGroup.set(k, { topic: key.topic, partition: key.partition, value: decodeOffsetCommitValue(rec.value) });
        }
      } catch {
        skipped++;
      }
    }
    const groups: Group[] = [];
    let offsetCount = 0;
    const ids = new Set([...metadata.keys(), ...offsets.keys()]);
    for (const id of ids) {
      const value = metadata.get(id) ?? null;
      const groupOffsets = [...(offsets.get(id)?.values() ?? [])];
      if (value === null && groupOffsets.length === 0) continue;
      const group = value === null ? new Group(id, GroupState.Empty, null) : Group.fromRecordValue(id, value);
      for (const o of groupOffsets) group.offsets.set(o.topic, o.partition, o.value);
      offsetCount += groupOffsets.length;
      groups.push(group);
    }
    return { groups, summary: { offsets: offsetCount, groups: groups.length, skipped } };
  }

  /**
   * Appends the group's metadata record (current state, members and `assignment`).
   * The record is built synchronously, before the first await. Rejects if the append fails.
   */
  async storeGroup(group: Group, assignment: ReadonlyMap<string, Buffer>): Promise<void> {
    const record: GroupLogRecord = {
      key: encodeGroupMetadataKey(group.groupId),
      value: encodeGroupMetadataValue(group.toRecordValue(assignment)),
    };
    await this.log.append(this.partitionFor(group.groupId), [record]);
  }

  /**
   * Appends one OffsetCommit record per entry and, once the append resolved, makes them
   * the group's committed offsets. Rejects (memory unchanged) if the append fails.
   */
  async storeOffsets(group: Group, entries: { topic: string; partition: number; value: CommittedOffset }[]): Promise<void> {
    if (entries.length === 0) return;
    const seq = ++this.commitSeq;
    const records = entries.map((e) => ({
      key: encodeOffsetCommitKey(group.groupId, e.topic, e.partition),
      value: encodeOffsetCommitValue(e.value),
    }));
    for (const e of entries) group.offsets.beginPending(e.topic, e.partition);
    try {
      await this.log.append(this.partitionFor(group.groupId), records);
      for (const e of entries) group.offsets.set(e.topic, e.partition, e.value, seq);
    } finally {
      for (const e of entries) group.offsets.endPending(e.topic, e.partition);
    }
  }

  /**
   * Removes expired offsets (rules in CommittedOffsets.expired, chosen per group as in
   * Kafka's GroupMetadata.removeExpiredOffsets) and appends their tombstones. An Empty
   * group left without offsets becomes Dead, leaves the cache and gets a group
   * tombstone. Returns the number of offsets removed. Append failures are swallowed:
   * removal already happened in memory and compaction is best effort.
   */
  async cleanupExpiredOffsets(now: number, retentionMs: number): Promise<number> {
    const byPartition = new Map<number, GroupLogRecord[]>();
    let removed = 0;
    for (const group of this.allGroups()) {
      const expired = this.expiredOffsetsOf(group, now, retentionMs);
      const records: GroupLogRecord[] = [];
      for (const e of expired) {
        group.offsets.delete(e.topic, e.partition);
        records.push({ key: encodeOffsetCommitKey(group.groupId, e.topic, e.partition), value: null });
      }
      removed += expired.length;
      if (group.is(GroupState.Empty) && group.offsets.size === 0 && !group.offsets.hasAnyPending) {
        group.transitionTo(GroupState.Dead, now);
        this.removeGroup(group);
        records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
      }
      if (records.length === 0) continue;
      const p = this.partitionFor(group.groupId);
      byPartition.set(p, [...(byPartition.get(p) ?? []), ...records]);
    }
    await Promise.all(
      [...byPartition].map(([p, records]) => this.log.append(p, records).catch(() => undefined)),
    );
    return removed;
  }

  private expiredOffsetsOf(group: Group, now: number, retentionMs: number) {
    if (group.protocolType !== null && group.is(GroupState.Empty)) {
      // No members: retention counts from when the group became Empty (else from the commit).
      const since = group.currentStateTimestamp;
      return group.offsets.expired(now, retentionMs, (o) => since ?? o.commitTimestamp);
    }
    if (group.protocolType === 'consumer' && group.subscribedTopics !== null && group.is(GroupState.Stable)) {
      // Active consumers: offsets of topics nobody subscribes to any more expire after retention.
      return group.offsets.expired(now, retentionMs, (o) => o.commitTimestamp, group.subscribedTopics);
    }
    if (group.protocolType === null) {
      // Simple (standalone) consumers: retention counts from each commit.
      return group.offsets.expired(now, retentionMs, (o) => o.commitTimestamp);
    }
    return [];
  }

  /**
   * Appends tombstones for the group's metadata and all its offsets. Rejects if the
   * append fails; the caller decides what to keep in memory.
   */
  async appendGroupTombstones(group: Group): Promise<void> {
    const records: GroupLogRecord[] = group.offsets
      .entries()
      .map((e) => ({ key: encodeOffsetCommitKey(group.groupId, e.topic, e.partition), value: null }));
    records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    await this.log.append(this.partitionFor(group.groupId), records);
  }

  clear(): void {
    this.groups.clear();
  }
}
