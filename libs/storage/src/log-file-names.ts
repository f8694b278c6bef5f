import * as path from 'node:path';

/**
 * File naming inside a partition directory `<dataDir>/<topic>-<partition>/`, as Kafka:
 *
 *   00000000000000000000.log         record batches
 *   00000000000000000000.index       offset index
 *   00000000000000000000.timeindex   time index
 *   00000000000000001234.snapshot    producer-state snapshot taken at offset 1234
 *
 * The 20-digit zero-padded number is the segment's base offset (the offset of its first
 * batch, or the log end offset when it was rolled). Suffixes added on top of a name mark
 * transient states: `.cleaned` (a compaction output being written), `.swap` (a compaction
 * output committed but not yet renamed into place) and `.deleted` (a segment scheduled for
 * deletion). Recovery at open finishes or discards each of them.
 */
export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const SNAPSHOT_SUFFIX = '.snapshot';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';

/** Offset as the 20-digit zero-padded file name prefix. */
export function offsetFileName(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function logFilePath(dir: string, baseOffset: number): string {
  return path.join(dir, offsetFileName(baseOffset) + LOG_SUFFIX);
}
export function indexFilePath(dir: string, baseOffset: number): string {
  return path.join(dir, offsetFileName(baseOffset) + INDEX_SUFFIX);
}
export function timeIndexFilePath(dir: string, baseOffset: number): string {
  return path.join(dir, offsetFileName(baseOffset) + TIME_INDEX_SUFFIX);
}
export function snapshotFilePath(dir: string, offset: number): string {
  return path.join(dir, offsetFileName(offset) + SNAPSHOT_SUFFIX);
}

/** Parses `<20 digits><suffix>` (suffix may be compound, e.g. `.log.swap`); null if not that shape. */
export function parseOffsetFileName(name: string): { offset: number; suffix: string } | null {
  const m = /^(\d{20})(\..+)$/.exec(name);
  if (!m) return null;
  return { offset: Number(m[1]), suffix: m[2] };
}

/** Directory name of a partition's log, `<topic>-<partition>`. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Inverse of `partitionDirName`; topic names may themselves contain '-'. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  if (!m) return null;
  return { topic: m[1], partition: Number(m[2]) };
}
