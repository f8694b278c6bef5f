import { ByteReader, ByteWriter, MalformedRecordError } from './binary-codec';

/**
 * Binary key/value formats of the records in `__consumer_offsets`, byte-compatible with
 * Kafka's classic group coordinator (group-coordinator/src/main/resources/common/message
 * OffsetCommitKey/Value.json, GroupMetadataKey/Value.json). Every key and value starts
 * with an int16 schema version; the fields follow in the non-flexible encoding described
 * in binary-codec.ts (string = int16 length + UTF-8, bytes = int32 length, arrays = int32
 * count). int64 fields are carried as JS numbers (safe below 2^53).
 *
 * Keys — the version tells the record type:
 *   OffsetCommitKey   version 0 or 1 (written as 1):
 *     [0..2)  int16  version = 1
 *             string group
 *             string topic
 *             int32  partition
 *   GroupMetadataKey  version 2:
 *     [0..2)  int16  version = 2
 *             string group
 *   Other versions (e.g. 3+ written by Kafka's new consumer-group protocol) are not ours:
 *   decodeKey returns null for them and loading skips them.
 *
 * OffsetCommitValue (value of an OffsetCommitKey; null value = tombstone, offset deleted):
 *   version 0: offset int64, metadata string, commitTimestamp int64
 *   version 1: offset int64, metadata string, commitTimestamp int64, expireTimestamp int64
 *   version 2: offset int64, metadata string, commitTimestamp int64
 *   version 3: offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
 *   Written as version 3, or version 1 when the commit carried an explicit retention
 *   (OffsetCommit v2-v4 retention_time_ms), as Kafka does.
 *
 * GroupMetadataValue (value of a GroupMetadataKey; null value = tombstone, group deleted):
 *   int16 version (0..3; written as 3)
 *   string protocolType            ("" when the group has none)
 *   int32  generation
 *   string protocol   (nullable)   (selected protocol; null when Empty)
 *   string leader     (nullable)   (leader member id; null when Empty)
 *   int64  currentStateTimestamp   (version 2+; -1 = unknown)
 *   int32  member count, then per member:
 *     string memberId
 *     string groupInstanceId (nullable, version 3+)
 *     string clientId
 *     string clientHost
 *     int32  rebalanceTimeout     (version 1+; version 0 uses sessionTimeout)
 *     int32  sessionTimeout
 *     bytes  subscription         (the member's metadata for the selected protocol)
 *     bytes  assignment
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
  return new ByteWriter().int16(OFFSET_COMMIT_KEY_VERSION).string(group).string(topic).int32(partition).toBuffer();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new ByteWriter().int16(GROUP_METADATA_KEY_VERSION).string(group).toBuffer();
}

/** Decodes a key; returns null for key versions this coordinator does not own. */
export function decodeKey(buf: Buffer): ConsumerOffsetsKey | null {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) {
    const group = r.string();
    const topic = r.string();
    const partition = r.int32();
    return { type: 'offset', group, topic, partition };
  }
  if (version === 2) {
    return { type: 'group', group: r.string() };
  }
  return null;
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const w = new ByteWriter();
  if (v.expireTimestamp !== null) {
    return w
      .int16(OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY)
      .int64(BigInt(v.offset))
      .string(v.metadata)
      .int64(BigInt(v.commitTimestamp))
      .int64(BigInt(v.expireTimestamp))
      .toBuffer();
  }
  return w
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64(BigInt(v.offset))
    .int32(v.leaderEpoch)
    .string(v.metadata)
    .int64(BigInt(v.commitTimestamp))
    .toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new MalformedRecordError(`unknown OffsetCommitValue version ${version}`);
  const offset = Number(r.int64());
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = Number(r.int64());
  const expireTimestamp = version === 1 ? Number(r.int64()) : null;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: expireTimestamp === -1 ? null : expireTimestamp };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  return new ByteWriter()
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(v.protocolType)
    .int32(v.generation)
    .nullableString(v.protocol)
    .nullableString(v.leader)
    .int64(BigInt(v.currentStateTimestamp))
    .array(v.members, (w, m) => {
      w.string(m.memberId)
        .nullableString(m.groupInstanceId)
        .string(m.clientId)
        .string(m.clientHost)
        .int32(m.rebalanceTimeout)
        .int32(m.sessionTimeout)
        .bytes(m.subscription)
        .bytes(m.assignment);
    })
    .toBuffer();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new MalformedRecordError(`unknown GroupMetadataValue version ${version}`);
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = version >= 2 ? Number(r.int64()) : -1;
  const members = r.array((m) => {
    const memberId = m.string();
    const groupInstanceId = version >= 3 ? m.nullableString() : null;
    const clientId = m.string();
    const clientHost = m.string();
    const rebalanceTimeout = version >= 1 ? m.int32() : -1;
    const sessionTimeout = m.int32();
    const subscription = m.bytes();
    const assignment = m.bytes();
    return {
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout: rebalanceTimeout === -1 ? sessionTimeout : rebalanceTimeout,
      sessionTimeout,
      subscription,
      assignment,
    };
  });
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
