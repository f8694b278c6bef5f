import { ProtocolDecodeError } from '../codec/decode-error';
import { array, bytes, int32, string, struct, type Infer, type InferInput, type StructField } from '../schema/fields';
import { decodeVersionedStruct, encodeVersionedStruct } from './versioned-struct';

/**
 * The "consumer" embedded protocol carried opaquely in JoinGroup `metadata` and
 * SyncGroup `assignment` bytes. Wire format: int16 version, then the struct at that
 * version (never flexible). Versions 0-3 are known; as the JVM client does, a newer
 * version is decoded with the newest known layout and trailing bytes are ignored.
 */
export const CONSUMER_PROTOCOL_VERSIONS: readonly [min: number, max: number] = [0, 3];

export const ConsumerProtocolSubscription = struct({
  topics: array(string()),
  userData: bytes({ nullableVersions: '0+', default: null }),
  ownedPartitions: array(
    struct({
      topic: string(),
      partitions: array(int32()),
    }),
    { versions: '1+' },
  ),
  generationId: int32({ versions: '2+', default: -1 }),
  rackId: string({ versions: '3+', nullableVersions: '3+', default: null }),
});

export const ConsumerProtocolAssignment = struct({
  assignedPartitions: array(
    struct({
      topic: string(),
      partitions: array(int32()),
    }),
  ),
  userData: bytes({ nullableVersions: '0+', default: null }),
});

export type ConsumerProtocolSubscriptionData = Infer<typeof ConsumerProtocolSubscription>;
export type ConsumerProtocolSubscriptionInput = InferInput<typeof ConsumerProtocolSubscription>;
export type ConsumerProtocolAssignmentData = Infer<typeof ConsumerProtocolAssignment>;
export type ConsumerProtocolAssignmentInput = InferInput<typeof ConsumerProtocolAssignment>;

function decodeVersioned<S extends StructField>(schema: S, data: Buffer): { version: number; value: Infer<S> } {
  return decodeVersionedStruct(schema, data, (version) => {
    if (version < CONSUMER_PROTOCOL_VERSIONS[0]) throw new ProtocolDecodeError(`invalid consumer protocol version ${version}`, 0);
    return Math.min(version, CONSUMER_PROTOCOL_VERSIONS[1]);
  });
}

function encodeVersioned<S extends StructField>(schema: S, version: number, value: InferInput<S>): Buffer {
  if (version < CONSUMER_PROTOCOL_VERSIONS[0] || version > CONSUMER_PROTOCOL_VERSIONS[1]) {
    throw new RangeError(`unsupported consumer protocol version ${version}`);
  }
  return encodeVersionedStruct(schema, version, value);
}

export function decodeConsumerSubscription(data: Buffer): { version: number; value: ConsumerProtocolSubscriptionData } {
  return decodeVersioned(ConsumerProtocolSubscription, data);
}

export function encodeConsumerSubscription(version: number, value: ConsumerProtocolSubscriptionInput): Buffer {
  return encodeVersioned(ConsumerProtocolSubscription, version, value);
}

export function decodeConsumerAssignment(data: Buffer): { version: number; value: ConsumerProtocolAssignmentData } {
  return decodeVersioned(ConsumerProtocolAssignment, data);
}

export function encodeConsumerAssignment(version: number, value: ConsumerProtocolAssignmentInput): Buffer {
  return encodeVersioned(ConsumerProtocolAssignment, version, value);
}

/**
 * The partitions of an Assignment as flat `{topic, partition}` pairs, sorted by topic
 * then partition. An empty buffer (what a coordinator stores for a member the leader
 * assigned nothing) is no partitions. Throws ProtocolDecodeError on corrupt input.
 */
export function listAssignedPartitions(assignment: Buffer): { topic: string; partition: number }[] {
  if (assignment.length === 0) return [];
  const out: { topic: string; partition: number }[] = [];
  for (const tp of decodeConsumerAssignment(assignment).value.assignedPartitions) {
    for (const partition of tp.partitions) out.push({ topic: tp.topic, partition });
  }
  out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return out;
}
