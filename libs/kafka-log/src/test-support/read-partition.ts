import type { IsolationLevel, ReaderRecord } from '../fetched-records';
import { PartitionReader } from '../partition-reader';

/**
 * Test helper: every record of one partition from offset 0 to its end offset at the time
 * of the call, read with the project's PartitionReader (read_uncommitted unless asked;
 * read_committed stops at the last stable offset and drops aborted records, so it may
 * return fewer records than the end offset counts). For the producer IT specs.
 */
export async function readPartition(bootstrap: string, topic: string, partition: number, isolationLevel?: IsolationLevel): Promise<ReaderRecord[]> {
  const reader = new PartitionReader({ bootstrap: [bootstrap], topic, partition, maxWaitMs: 50, ...(isolationLevel ? { isolationLevel } : {}) });
  const end = await reader.endOffset();
  const seen: ReaderRecord[] = [];
  if (end > 0) {
    await new Promise<void>((resolve) => {
      reader.start(0, (records, next) => {
        seen.push(...records);
        if (next >= end) resolve();
      });
    });
  }
  await reader.stop();
  return seen;
}
