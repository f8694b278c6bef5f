import type { LogConfig } from './log-config';
import type { StorageIo } from './storage-io';

/** How a LogSegment indexes and does its I/O (log-segment.ts). */
export interface SegmentOptions {
  indexIntervalBytes: number;
  maxIndexBytes: number;
  io: StorageIo;
}

/** The segment options a topic config asks for (index.interval.bytes, segment.index.bytes). */
export function segmentOptionsFor(config: LogConfig, io: StorageIo): SegmentOptions {
  return { indexIntervalBytes: config.indexIntervalBytes, maxIndexBytes: config.segmentIndexBytes, io };
}

/** Header facts of a batch being appended (the caller already parsed them). */
export interface AppendedBatchInfo {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

/** Bytes of the latest appends kept in memory per active segment for tail fetches (segment-tail-cache.ts). */
export const TAIL_CACHE_BYTES = 256 * 1024;

/** Index entries the append path lets accumulate before writing them (SegmentIndexes.persistIfBehind). */
export const INDEX_PERSIST_EVERY_ENTRIES = 64;
