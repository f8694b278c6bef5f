import { errorMessage } from '@millrace/app-common';
import type { RecordInput } from '@millrace/protocol';
import { ProduceError } from './batch-producer';
import { ClusterConnections } from './cluster-connections';
import { keyPartition } from './murmur2';
import type { ProducedRecord } from './produced-record';

/** How long a new topic's partitions are waited for (Metadata retried with backoff). */
const TOPIC_WAIT_MS = 30_000;

/** The records of one `send` bound for one partition, in the order given. */
export interface PartitionRecords {
  readonly topic: string;
  readonly partition: number;
  readonly inputs: RecordInput[];
}

/**
 * Kafka's default partitioner for the project's producers: an explicit partition wins
 * (checked against the topic's partition count);
 * a keyed record goes to `murmur2(key) % partitions` (as the Java client, librdkafka's
 * murmur2_random and kafkajs); the keyless records of one `group` call to one topic go
 * to one partition, the next call's to the next (sticky partitioning, KIP-480).
 * Partition counts come from Metadata (a missing topic is waited for up to 30 s, which
 * lets a cluster that auto-creates topics create it).
 */
export class RecordPartitioner {
  /** For partition counts only; producers keep their own connections. */
  private readonly metadata: ClusterConnections;
  private readonly sticky = new Map<string, number>();

  constructor(bootstrap: readonly string[], clientId: string) {
    this.metadata = new ClusterConnections(bootstrap, `${clientId}-metadata`);
  }

  /** The records grouped by target partition, each group in the order given. */
  async group(records: readonly ProducedRecord[]): Promise<PartitionRecords[]> {
    const byPartition = new Map<string, PartitionRecords>();
    const counts = new Map<string, number>();
    const keyless = new Map<string, number>();
    // Consecutive records usually go to one partition: its group is found without a key string.
    let last: PartitionRecords | undefined;
    for (const r of records) {
      let partition = r.partition ?? -1;
      // Metadata for every topic, as Kafka's producer: it also lets a cluster that
      // auto-creates topics create one that a record names with an explicit partition.
      let count = counts.get(r.topic);
      if (count === undefined) {
        count = await this.partitionCount(r.topic);
        counts.set(r.topic, count);
      }
      if (partition >= count) {
        // The cached count may predate a CreatePartitions: ask again before refusing.
        this.metadata.invalidate(r.topic);
        count = await this.partitionCount(r.topic);
        counts.set(r.topic, count);
        if (partition >= count) throw new ProduceError(`Invalid partition given with record: ${partition} is not in the range [0...${count}) of ${r.topic}`, false);
      }
      if (partition < 0) {
        if (r.key !== null) partition = count === 1 ? 0 : keyPartition(r.key, count);
        else {
          let chosen = keyless.get(r.topic);
          if (chosen === undefined) {
            chosen = ((this.sticky.get(r.topic) ?? -1) + 1) % count;
            this.sticky.set(r.topic, chosen);
            keyless.set(r.topic, chosen);
          }
          partition = chosen;
        }
      }
      let group = last !== undefined && last.partition === partition && last.topic === r.topic ? last : undefined;
      if (!group) {
        const slot = `${r.topic}\u0000${partition}`;
        group = byPartition.get(slot);
        if (!group) {
          group = { topic: r.topic, partition, inputs: [] };
          byPartition.set(slot, group);
        }
        last = group;
      }
      group.inputs.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp ?? undefined });
    }
    return [...byPartition.values()];
  }

  close(): void {
    this.metadata.close();
  }

  private async partitionCount(topic: string): Promise<number> {
    const deadline = Date.now() + TOPIC_WAIT_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await this.metadata.partitionCount(topic);
      } catch (err) {
        if (Date.now() + delay > deadline) throw new ProduceError(`partitions of ${topic}: ${errorMessage(err)}`, true);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
