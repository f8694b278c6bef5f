import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { StorageIo } from './storage-io';
import { writeFileAtomically } from './atomic-file';
import { DEFAULT_STORAGE_IO } from './storage-io';

/**
 * Kafka's per-log-directory offset checkpoint files (`replication-offset-checkpoint` for
 * high watermarks, `log-start-offset-checkpoint`, `cleaner-offset-checkpoint`), same text
 * format as Kafka so the files read the same:
 *
 *   0                      <- version
 *   3                      <- number of entries
 *   orders 0 1200          <- topic SPACE partition SPACE offset, one line per partition
 *   orders 1 1187
 *   my-topic 0 0
 *
 * Topic names cannot contain spaces (Kafka's legal characters are [a-zA-Z0-9._-]).
 * Written atomically: `<file>.tmp`, fsync, rename over the old file, fsync of the
 * directory. A missing file reads as empty; a malformed one throws (the caller decides).
 */
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

/** Key `<topic>-<partition>` as used by the log manager. */
export type CheckpointEntries = Map<string, { topic: string; partition: number; offset: number }>;

export function checkpointKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export function encodeCheckpoint(entries: CheckpointEntries): string {
  const lines = ['0', String(entries.size)];
  for (const e of entries.values()) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  return lines.join('\n') + '\n';
}

export function decodeCheckpoint(text: string, file = 'checkpoint'): CheckpointEntries {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length < 2) throw new Error(`${file}: truncated`);
  if (lines[0].trim() !== '0') throw new Error(`${file}: unsupported version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) throw new Error(`${file}: expected ${lines[1]} entries, found ${lines.length - 2}`);
  const out: CheckpointEntries = new Map();
  for (const line of lines.slice(2)) {
    const parts = line.trim().split(' ');
    const [topic, partition, offset] = [parts[0], Number(parts[1]), Number(parts[2])];
    if (parts.length !== 3 || !Number.isInteger(partition) || !Number.isInteger(offset)) {
      throw new Error(`${file}: malformed line ${JSON.stringify(line)}`);
    }
    out.set(checkpointKey(topic, partition), { topic, partition, offset });
  }
  return out;
}

export async function readCheckpoint(dir: string, name: string): Promise<CheckpointEntries> {
  try {
    return decodeCheckpoint(await fsp.readFile(path.join(dir, name), 'utf8'), name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
}

export async function writeCheckpoint(
  dir: string,
  name: string,
  entries: CheckpointEntries,
  io: StorageIo = DEFAULT_STORAGE_IO,
): Promise<void> {
  await writeFileAtomically(path.join(dir, name), encodeCheckpoint(entries), io);
}
