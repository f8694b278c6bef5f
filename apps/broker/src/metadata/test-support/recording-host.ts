import type { LogConfig } from '@millrace/storage';
import type { PartitionHost } from '../topic-manager';
import type { TopicMetadata } from '../topic-store';

/** Specs only: a PartitionHost that records which logs were opened and deleted. */
export class RecordingHost implements PartitionHost {
  opened: string[] = [];
  deleted: string[] = [];
  configs = new Map<string, LogConfig>();
  onDisk: { topic: string; partition: number }[] = [];
  async openPartitions(topic: TopicMetadata, partitions: number[], config: LogConfig): Promise<void> {
    for (const p of partitions) this.opened.push(`${topic.name}-${p}`);
    this.configs.set(topic.name, config);
  }
  async deleteTopic(topic: TopicMetadata): Promise<void> {
    this.deleted.push(topic.name);
  }
  reconfigure(topic: TopicMetadata, config: LogConfig): void {
    this.configs.set(topic.name, config);
  }
  async removeStrayLogs(keep: (topic: string, partition: number) => boolean): Promise<string[]> {
    return this.onDisk.filter((l) => !keep(l.topic, l.partition)).map((l) => `${l.topic}-${l.partition}`);
  }
  async removePartitions(topic: string, partitions: number[]): Promise<void> {
    for (const p of partitions) this.deleted.push(`${topic}-${p}`);
  }
}
