import { ErrorCode as E } from '@millrace/protocol';
import { partitionKey } from '../partition/partition-key';
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
import { CoordinatorClock, ScheduledTask, scheduleGuarded } from './coordinator-clock';
import { GroupCoordinatorConfig } from './group-coordinator.config';
import { Group } from './group';
import { groupFromRecordValue, groupRecordValue } from './group-record';
import { GroupState } from './group-state';
import { GroupLog, GroupLogRecord } from './group-log';
import { partitionForGroup } from './group-partitioner';
import { LoadSummary, OffsetCommitInput, OffsetCommitResult, OffsetFetchInput, OffsetFetchPartition, OffsetFetchResult } from './group-coordinator.types';

/**
 * The group cache and its persistence in `__consumer_offsets` (Kafka's
 * GroupMetadataManager): which groups exist, their committed offsets (commit, fetch,
 * expiry), and the records that make both survive a restart (loading them back at start).
 *
 * Durability rule: in-memory state that clients are told about changes only after the
 * corresponding `GroupLog.append` resolved — `storeGroup` / `storeOffsets` reject (and
 * change nothing) when the append fails. Removals done by expiration and deletion are
 * applied in memory at once and their tombstones appended after (as Kafka does).
 *
 * Membership checks are the coordinator's: the offset methods here are called for a
 * group whose caller has already been validated.
 */
export class GroupMetadataManager {
  private readonly groups = new Map<string, Group>();
  /** Increases with every offset-commit append issued; orders overlapping commits. */
  private commitSeq = 0;
  /** Partitions of `__consumer_offsets`; the existing topic's count once known (see `usePartitionCount`). */
  private numPartitions: number;
  private expirationTask: ScheduledTask | null = null;
  private expiring = false;

  constructor(
    private readonly log: GroupLog,
    private readonly config: GroupCoordinatorConfig,
    private readonly clock: CoordinatorClock,
    private readonly onError: (message: string, err: unknown) => void,
  ) {
    this.numPartitions = config.offsetsTopicNumPartitions;
  }

  /**
   * Sets the partition count of `__consumer_offsets` (Kafka's
   * groupMetadataTopicPartitionCount): an existing topic's count wins over the configured
   * offsets.topic.num.partitions. Call before any record is appended.
   */
  usePartitionCount(numPartitions: number): void {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new RangeError(`invalid __consumer_offsets partition count ${numPartitions}`);
    this.numPartitions = numPartitions;
  }

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
          const k = partitionKey(key.topic, key.partition);
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
      const group = value === null ? new Group(id, GroupState.Empty, null) : groupFromRecordValue(id, value);
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
      value: encodeGroupMetadataValue(groupRecordValue(group, assignment)),
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
   * Applies the offsets of a committed transaction (already in the log, made visible by
   * its COMMIT marker): newer than every commit issued so far. Creates the group (Empty)
   * if it is gone.
   */
  applyTxnOffsets(groupId: string, entries: { topic: string; partition: number; value: CommittedOffset }[], now: number): void {
    const group = this.groups.get(groupId) ?? this.addGroup(new Group(groupId, GroupState.Empty, now));
    const seq = ++this.commitSeq;
    for (const e of entries) group.offsets.set(e.topic, e.partition, e.value, seq);
  }

  /**
   * The storage half of OffsetCommit, for a validated commit to `group`: partitions whose
   * metadata exceeds offset.metadata.max.bytes get OFFSET_METADATA_TOO_LARGE, the others
   * are appended together (commit time `now`, expiry from v2-v4 retention_time_ms) and
   * answered NONE, or COORDINATOR_NOT_AVAILABLE if the append fails.
   */
  async commitOffsets(group: Group, input: OffsetCommitInput, now: number): Promise<OffsetCommitResult> {
    const expireTimestamp = input.retentionTimeMs === undefined || input.retentionTimeMs === -1 ? null : now + input.retentionTimeMs;
    const errors = new Map<string, number>();
    const entries: { topic: string; partition: number; value: CommittedOffset }[] = [];
    for (const t of input.topics) {
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        if (metadata.length > this.config.offsetMetadataMaxBytes) {
          errors.set(partitionKey(t.name, p.partitionIndex), E.OFFSET_METADATA_TOO_LARGE);
          continue;
        }
        entries.push({
          topic: t.name,
          partition: p.partitionIndex,
          value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata, commitTimestamp: now, expireTimestamp },
        });
      }
    }
    let appendError: number = E.NONE;
    try {
      await this.storeOffsets(group, entries);
    } catch {
      appendError = E.COORDINATOR_NOT_AVAILABLE;
    }
    return offsetCommitResult(input, (t, p) => errors.get(partitionKey(t, p)) ?? appendError);
  }

  /**
   * The committed offsets of `groupId` (a Dead group has none). `topics: null` returns
   * every committed partition; requested partitions without a commit get offset -1 and
   * metadata ''. Partitions `isUnstable` names (pending transactional commits, checked
   * only for require_stable fetches) get offset -1 and UNSTABLE_OFFSET_COMMIT.
   */
  fetchOffsets(
    groupId: string,
    topics: OffsetFetchInput['topics'],
    isUnstable: (topic: string, partition: number) => boolean = () => false,
  ): OffsetFetchResult {
    const group = this.groups.get(groupId);
    const live = group && !group.is(GroupState.Dead) ? group : undefined;
    const toPartition = (topic: string, partitionIndex: number, o: CommittedOffset | undefined): OffsetFetchPartition => {
      if (isUnstable(topic, partitionIndex)) return noOffset(partitionIndex, E.UNSTABLE_OFFSET_COMMIT);
      if (!o) return noOffset(partitionIndex, E.NONE);
      return { partitionIndex, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: E.NONE };
    };
    if (topics === null) {
      const byTopic = new Map<string, OffsetFetchPartition[]>();
      for (const e of live?.offsets.entries() ?? []) {
        const list = byTopic.get(e.topic) ?? [];
        list.push(toPartition(e.topic, e.partition, e.value));
        byTopic.set(e.topic, list);
      }
      return { errorCode: E.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
    }
    return {
      errorCode: E.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => toPartition(t.name, p, live?.offsets.get(t.name, p))),
      })),
    };
  }

  /** Runs `cleanupExpiredOffsets` every offsets.retention.check.interval.ms until `stopOffsetExpiration`. */
  startOffsetExpiration(): void {
    this.expiring = true;
    this.scheduleOffsetExpiration();
  }

  stopOffsetExpiration(): void {
    this.expiring = false;
    this.expirationTask?.cancel();
    this.expirationTask = null;
  }

  private scheduleOffsetExpiration(): void {
    this.expirationTask = scheduleGuarded(
      this.clock,
      this.config.offsetsRetentionCheckIntervalMs,
      () => {
        this.expirationTask = null;
        void this.cleanupExpiredOffsets(this.clock.now())
          .catch((err: unknown) => this.onError('offset expiration failed', err))
          .then(() => {
            if (this.expiring && this.expirationTask === null) this.scheduleOffsetExpiration();
          });
      },
      (err) => this.onError('timer task failed', err),
    );
  }

  /**
   * Removes offsets past offsets.retention.minutes at `now` (rules in
   * CommittedOffsets.expired, chosen per group as in Kafka's
   * GroupMetadata.removeExpiredOffsets) and appends their tombstones. An Empty
   * group left without offsets becomes Dead, leaves the cache and gets a group
   * tombstone. Returns the number of offsets removed. Append failures are swallowed:
   * removal already happened in memory and compaction is best effort.
   */
  async cleanupExpiredOffsets(now: number): Promise<number> {
    const retentionMs = this.config.offsetsRetentionMinutes * 60_000;
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
   * Deletes an Empty group (DeleteGroups): it is Dead while the tombstones of its metadata
   * and all its offsets are appended, then leaves the cache. If the append fails the group
   * is kept (Empty) and the answer is COORDINATOR_NOT_AVAILABLE, else NONE.
   */
  async deleteGroup(group: Group, now: number): Promise<number> {
    group.transitionTo(GroupState.Dead, now);
    const records: GroupLogRecord[] = group.offsets
      .entries()
      .map((e) => ({ key: encodeOffsetCommitKey(group.groupId, e.topic, e.partition), value: null }));
    records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    try {
      await this.log.append(this.partitionFor(group.groupId), records);
    } catch {
      // Dead -> Empty is outside the state machine: the deletion never happened.
      group.state = GroupState.Empty;
      return E.COORDINATOR_NOT_AVAILABLE;
    }
    this.removeGroup(group);
    group.offsets.clear();
    return E.NONE;
  }

  /**
   * OffsetDelete's storage half: appends tombstones for `partitions` of `group`, then
   * removes those offsets from memory (commits issued after the tombstones are kept, as
   * a reload would keep them). An Empty group left without offsets then becomes Dead,
   * leaves the cache and gets a group tombstone (best effort, as in expiration).
   * Rejects, changing nothing, when the offset tombstones cannot be appended.
   */
  async deleteOffsets(group: Group, partitions: { topic: string; partition: number }[], now: number): Promise<void> {
    if (partitions.length === 0) return;
    const seq = ++this.commitSeq;
    const records = partitions.map((p) => ({ key: encodeOffsetCommitKey(group.groupId, p.topic, p.partition), value: null }));
    await this.log.append(this.partitionFor(group.groupId), records);
    for (const p of partitions) group.offsets.deleteUpTo(p.topic, p.partition, seq);
    if (group.is(GroupState.Empty) && group.offsets.size === 0 && !group.offsets.hasAnyPending && this.groups.get(group.groupId) === group) {
      group.transitionTo(GroupState.Dead, now);
      this.removeGroup(group);
      await this.log
        .append(this.partitionFor(group.groupId), [{ key: encodeGroupMetadataKey(group.groupId), value: null }])
        .catch((err: unknown) => this.onError(`group ${group.groupId}: appending its tombstone failed`, err));
    }
  }

  clear(): void {
    this.groups.clear();
  }
}

/** An OffsetCommit result listing every requested partition with `errorCodeOf(topic, partition)`. */
export function offsetCommitResult(input: OffsetCommitInput, errorCodeOf: (topic: string, partition: number) => number): OffsetCommitResult {
  return {
    topics: input.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorCodeOf(t.name, p.partitionIndex) })),
    })),
  };
}

/** An OffsetFetch error result: the top-level `errorCode`, repeated on every requested partition (for v1). */
export function offsetFetchError(input: OffsetFetchInput, errorCode: number): OffsetFetchResult {
  return {
    errorCode,
    topics: (input.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => noOffset(p, errorCode)) })),
  };
}

function noOffset(partitionIndex: number, errorCode: number): OffsetFetchPartition {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode };
}
