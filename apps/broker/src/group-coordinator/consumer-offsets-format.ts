import {
  decodeConsumerOffsetsKey,
  decodeCoordinatorRecord,
  encodeCoordinatorRecord,
  GroupMetadataKey as GroupMetadataKeyRecord,
  GroupMetadataValue as GroupMetadataValueRecord,
  OffsetCommitKey as OffsetCommitKeyRecord,
  OffsetCommitValue as OffsetCommitValueRecord,
} from '@millrace/protocol';

/**
 * The group coordinator's view of the `__consumer_offsets` records: which version it
 * writes, and how the wire records map to its own values. The byte layouts are the
 * declarative definitions in `@millrace/protocol` (messages/coordinator-records.ts),
 * byte-compatible with Kafka's classic group coordinator.
 *
 * Written versions, as Kafka writes them: OffsetCommitKey v1, GroupMetadataKey v2,
 * GroupMetadataValue v3, OffsetCommitValue v3 — or v1 when the commit carried an explicit
 * retention (OffsetCommit v2-v4 retention_time_ms), the only version with expireTimestamp.
 * Read: every version the definitions accept. Decoding throws ProtocolDecodeError on
 * corrupt input.
 */

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_VALUE_VERSION = 3;

export interface OffsetCommitKey {
  type: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  type: 'group';
  group: string;
}

export type ConsumerOffsetsKey = OffsetCommitKey | GroupMetadataKey;

export interface OffsetCommitValue {
  offset: number;
  /** -1 when unknown (and always -1 for value versions < 3). */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Explicit expiry (value version 1 only); null otherwise. */
  expireTimestamp: number | null;
}

export interface GroupMetadataMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** The session timeout when the record has none (value version 0). */
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (value versions < 2). */
  currentStateTimestamp: number;
  members: GroupMetadataMemberValue[];
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return encodeCoordinatorRecord(OffsetCommitKeyRecord, OFFSET_COMMIT_KEY_VERSION, { group, topic, partition });
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return encodeCoordinatorRecord(GroupMetadataKeyRecord, GROUP_METADATA_KEY_VERSION, { group });
}

/** Decodes a key; returns null for key versions this coordinator does not own. */
export function decodeKey(buf: Buffer): ConsumerOffsetsKey | null {
  const key = decodeConsumerOffsetsKey(buf);
  if (key === null) return null;
  if (key.type === 'groupMetadata') return { type: 'group', group: key.value.group };
  return { type: 'offset', group: key.value.group, topic: key.value.topic, partition: key.value.partition };
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  if (v.expireTimestamp !== null) {
    return encodeCoordinatorRecord(OffsetCommitValueRecord, OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY, {
      offset: v.offset,
      metadata: v.metadata,
      commitTimestamp: v.commitTimestamp,
      expireTimestamp: v.expireTimestamp,
    });
  }
  return encodeCoordinatorRecord(OffsetCommitValueRecord, OFFSET_COMMIT_VALUE_VERSION, {
    offset: v.offset,
    leaderEpoch: v.leaderEpoch,
    metadata: v.metadata,
    commitTimestamp: v.commitTimestamp,
  });
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const { value } = decodeCoordinatorRecord(OffsetCommitValueRecord, buf);
  return { ...value, expireTimestamp: value.expireTimestamp === -1 ? null : value.expireTimestamp };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  return encodeCoordinatorRecord(GroupMetadataValueRecord, GROUP_METADATA_VALUE_VERSION, v);
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const { value } = decodeCoordinatorRecord(GroupMetadataValueRecord, buf);
  return {
    ...value,
    members: (value.members ?? []).map((m) => ({ ...m, rebalanceTimeout: m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout })),
  };
}
