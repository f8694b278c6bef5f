import { ByteReader } from './binary-codec';

/**
 * Decoders for the embedded "consumer" protocol (protocol type `consumer`): the bytes
 * consumers put in JoinGroup protocol metadata (Subscription) and SyncGroup assignments
 * (Assignment). The coordinator treats these as opaque; the decoders serve admin views
 * (/admin/groups) and offset retention of Stable consumer groups.
 *
 * Layout (non-flexible, big-endian; see binary-codec.ts), per Kafka's
 * ConsumerProtocolAssignment.json / ConsumerProtocolSubscription.json:
 *   Assignment (all versions):
 *     int16 version
 *     int32 topic count, then per topic: string topic, int32 count + int32 partitions
 *     bytes userData (nullable)
 *   Subscription:
 *     int16 version
 *     int32 topic count + string topics
 *     bytes userData (nullable)
 *     v1+: ownedPartitions [string topic, int32 partitions]
 *     v2+: int32 generationId
 *     v3+: string rackId (nullable)
 * Newer versions only append fields, so a higher version is read with the highest known
 * layout and trailing bytes are ignored (as Kafka's ConsumerProtocol does).
 */

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerAssignment {
  version: number;
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

export interface ConsumerSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartitions[];
  generationId: number;
  rackId: string | null;
}

const readTopicPartitions = (r: ByteReader): TopicPartitions => ({
  topic: r.string(),
  partitions: r.array((p) => p.int32()),
});

/**
 * Decodes ConsumerProtocol Assignment bytes. An empty buffer (what the coordinator
 * stores for members the leader gave no assignment) decodes to no partitions.
 * Throws MalformedRecordError on corrupt input.
 */
export function decodeConsumerAssignment(buf: Buffer): ConsumerAssignment {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new ByteReader(buf);
  const version = r.int16();
  const assignedPartitions = r.array(readTopicPartitions);
  const userData = r.remaining >= 4 ? r.nullableBytes() : null;
  return { version, assignedPartitions, userData };
}

/** Decodes ConsumerProtocol Subscription bytes. Throws MalformedRecordError on corrupt input. */
export function decodeConsumerSubscription(buf: Buffer): ConsumerSubscription {
  const r = new ByteReader(buf);
  const version = r.int16();
  const topics = r.array((t) => t.string());
  const userData = r.remaining >= 4 ? r.nullableBytes() : null;
  const ownedPartitions = version >= 1 && r.remaining >= 4 ? r.array(readTopicPartitions) : [];
  const generationId = version >= 2 && r.remaining >= 4 ? r.int32() : -1;
  const rackId = version >= 3 && r.remaining >= 2 ? r.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/** Assigned partitions as flat `{topic, partition}` pairs, sorted by topic then partition. */
export function listAssignedPartitions(assignment: Buffer): { topic: string; partition: number }[] {
  const out: { topic: string; partition: number }[] = [];
  for (const tp of decodeConsumerAssignment(assignment).assignedPartitions) {
    for (const partition of tp.partitions) out.push({ topic: tp.topic, partition });
  }
  out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return out;
}
