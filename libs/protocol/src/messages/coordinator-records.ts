import { ProtocolDecodeError } from '../codec/decode-error';
import { array, bytes, int8, int16, int32, int64, string, struct, type Infer, type InferInput, type StructField } from '../schema/fields';
import { decodeVersionedStruct, encodeVersionedStruct, readStructVersion } from './versioned-struct';

/**
 * Records of the coordinators' compacted internal topics, byte-compatible with Kafka
 * (transcribed from group-coordinator/src/main/resources/common/message/
 * OffsetCommitKey.json, OffsetCommitValue.json, GroupMetadataKey.json and
 * GroupMetadataValue.json, restricted to the classic versions listed below).
 *
 * Framing (see versioned-struct.ts): every key and value is an int16 schema version
 * followed by the struct at that version, non-flexible: string = int16 length + UTF-8
 * (-1 = null), bytes = int32 length (-1 = null), array = int32 count (-1 = null), all
 * integers big-endian. int64 fields are JS numbers (exact below 2^53).
 *
 * `__consumer_offsets` keys — the key version tells the record type:
 *   OffsetCommitKey   versions 0-1:
 *     [0..2)  int16  version
 *             string group
 *             string topic
 *             int32  partition
 *   GroupMetadataKey  version 2:
 *     [0..2)  int16  version = 2
 *             string group
 *   Other key versions (3+ are Kafka's new consumer-group protocol records) are not
 *   classic-group records: {@link decodeConsumerOffsetsKey} returns null for them.
 *
 * OffsetCommitValue (value of an OffsetCommitKey; null value = tombstone), versions 0-3:
 *   version 0: int64 offset, string metadata, int64 commitTimestamp
 *   version 1: int64 offset, string metadata, int64 commitTimestamp, int64 expireTimestamp
 *   version 2: int64 offset, string metadata, int64 commitTimestamp
 *   version 3: int64 offset, int32 leaderEpoch, string metadata, int64 commitTimestamp
 *   Absent fields decode as -1 (leaderEpoch before v3, expireTimestamp outside v1).
 *
 * GroupMetadataValue (value of a GroupMetadataKey; null value = tombstone), versions 0-3:
 *   int16  version
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
 *     int32  rebalanceTimeout     (version 1+; absent = -1)
 *     int32  sessionTimeout
 *     bytes  subscription         (the member's metadata for the selected protocol)
 *     bytes  assignment
 *   Kafka never writes a null member array; one is read as null here (not as an error)
 *   so that the caller decides.
 *
 * `__transaction_state` (the transaction coordinator's compacted topic; transcribed from
 * Kafka's TransactionLogKey.json / TransactionLogValue.json, version 0 — Kafka's v1 only
 * adds tagged fields):
 *   TransactionLogKey   version 0:
 *     [0..2)  int16  version = 0
 *             string transactionalId
 *   TransactionLogValue version 0 (null value = tombstone: the id expired):
 *     [0..2)  int16  version = 0
 *             int64  producerId
 *             int16  producerEpoch
 *             int32  transactionTimeoutMs
 *             int8   transactionStatus   (0 Empty, 1 Ongoing, 2 PrepareCommit, 3 PrepareAbort,
 *                                          4 CompleteCommit, 5 CompleteAbort, 6 Dead, 7 PrepareEpochFence)
 *             int32  partition-topic count (-1 = null), then per topic:
 *               string topic
 *               int32  partition count, then int32 partition ids
 *             int64  transactionLastUpdateTimestampMs
 *             int64  transactionStartTimestampMs   (-1 when no transaction is open)
 */

/** One record type of a coordinator topic: its struct and the versions read and written here. */
export interface CoordinatorRecordDefinition<S extends StructField = StructField> {
  readonly name: string;
  readonly validVersions: readonly [min: number, max: number];
  readonly schema: S;
}

function defineCoordinatorRecord<S extends StructField>(def: CoordinatorRecordDefinition<S>): CoordinatorRecordDefinition<S> {
  return Object.freeze(def);
}

export const OffsetCommitKey = defineCoordinatorRecord({
  name: 'OffsetCommitKey',
  validVersions: [0, 1],
  schema: struct({
    group: string(),
    topic: string(),
    partition: int32(),
  }),
});

export const GroupMetadataKey = defineCoordinatorRecord({
  name: 'GroupMetadataKey',
  validVersions: [2, 2],
  schema: struct({
    group: string(),
  }),
});

export const OffsetCommitValue = defineCoordinatorRecord({
  name: 'OffsetCommitValue',
  validVersions: [0, 3],
  schema: struct({
    offset: int64(),
    leaderEpoch: int32({ versions: '3+', default: -1 }),
    metadata: string(),
    commitTimestamp: int64(),
    expireTimestamp: int64({ versions: '1', default: -1 }),
  }),
});

export const GroupMetadataValue = defineCoordinatorRecord({
  name: 'GroupMetadataValue',
  validVersions: [0, 3],
  schema: struct({
    protocolType: string(),
    generation: int32(),
    protocol: string({ nullableVersions: '0+' }),
    leader: string({ nullableVersions: '0+' }),
    currentStateTimestamp: int64({ versions: '2+', default: -1 }),
    members: array(
      struct({
        memberId: string(),
        groupInstanceId: string({ versions: '3+', nullableVersions: '3+', default: null }),
        clientId: string(),
        clientHost: string(),
        rebalanceTimeout: int32({ versions: '1+', default: -1 }),
        sessionTimeout: int32(),
        subscription: bytes(),
        assignment: bytes(),
      }),
      { nullableVersions: '0+' },
    ),
  }),
});

export const TransactionLogKey = defineCoordinatorRecord({
  name: 'TransactionLogKey',
  validVersions: [0, 0],
  schema: struct({
    transactionalId: string(),
  }),
});

export const TransactionLogValue = defineCoordinatorRecord({
  name: 'TransactionLogValue',
  validVersions: [0, 0],
  schema: struct({
    producerId: int64(),
    producerEpoch: int16(),
    transactionTimeoutMs: int32(),
    transactionStatus: int8(),
    transactionPartitions: array(
      struct({
        topic: string(),
        partitionIds: array(int32()),
      }),
      { nullableVersions: '0+' },
    ),
    transactionLastUpdateTimestampMs: int64(),
    transactionStartTimestampMs: int64(),
  }),
});

type SchemaOf<D> = D extends CoordinatorRecordDefinition<infer S> ? S : never;
/** Decoded record: every field present. */
export type CoordinatorRecordData<D> = Infer<SchemaOf<D>>;
/** Encoder input: fields with defaults may be left out. */
export type CoordinatorRecordInput<D> = InferInput<SchemaOf<D>>;

export type OffsetCommitKeyData = CoordinatorRecordData<typeof OffsetCommitKey>;
export type GroupMetadataKeyData = CoordinatorRecordData<typeof GroupMetadataKey>;
export type OffsetCommitValueData = CoordinatorRecordData<typeof OffsetCommitValue>;
export type GroupMetadataValueData = CoordinatorRecordData<typeof GroupMetadataValue>;
export type TransactionLogKeyData = CoordinatorRecordData<typeof TransactionLogKey>;
export type TransactionLogValueData = CoordinatorRecordData<typeof TransactionLogValue>;

/** Encodes one record at `version`. A version outside the definition's range is a programming error (RangeError). */
export function encodeCoordinatorRecord<S extends StructField>(
  def: CoordinatorRecordDefinition<S>,
  version: number,
  value: InferInput<S>,
): Buffer {
  if (!inRange(def, version)) throw new RangeError(`${def.name} version ${version} is not one of ${def.validVersions.join('-')}`);
  return encodeVersionedStruct(def.schema, version, value);
}

/** Decodes one record. Throws ProtocolDecodeError on truncation or a version outside the definition's range. */
export function decodeCoordinatorRecord<S extends StructField>(
  def: CoordinatorRecordDefinition<S>,
  data: Buffer,
): { version: number; value: Infer<S> } {
  return decodeVersionedStruct(def.schema, data, (version) => {
    if (!inRange(def, version)) throw new ProtocolDecodeError(`unknown ${def.name} version ${version}`, 0);
    return version;
  });
}

/** A decoded `__consumer_offsets` key of the classic group coordinator. */
export type ConsumerOffsetsKeyData =
  | { type: 'offsetCommit'; version: number; value: OffsetCommitKeyData }
  | { type: 'groupMetadata'; version: number; value: GroupMetadataKeyData };

/**
 * Decodes a `__consumer_offsets` key by its version; null for key versions that are not
 * classic-group records. Throws ProtocolDecodeError on truncated input.
 */
export function decodeConsumerOffsetsKey(data: Buffer): ConsumerOffsetsKeyData | null {
  const version = readStructVersion(data);
  if (inRange(OffsetCommitKey, version)) return { type: 'offsetCommit', ...decodeCoordinatorRecord(OffsetCommitKey, data) };
  if (inRange(GroupMetadataKey, version)) return { type: 'groupMetadata', ...decodeCoordinatorRecord(GroupMetadataKey, data) };
  return null;
}

function inRange(def: CoordinatorRecordDefinition, version: number): boolean {
  return version >= def.validVersions[0] && version <= def.validVersions[1];
}
