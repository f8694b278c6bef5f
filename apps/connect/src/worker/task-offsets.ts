import type { SourceOffset, SourceOffsetEntry, SourcePartition } from '../storage/offset-store';

/**
 * A connector's source offsets as a task sees them: the OffsetStore in the worker's
 * thread, its proxy in a task thread (task-thread-offsets.ts). `write` resolves once the
 * offsets are stored (connect-offsets, read back).
 */
export interface TaskOffsets {
  offset(connector: string, partition: SourcePartition): SourceOffset | null;
  write(connector: string, entries: readonly SourceOffsetEntry[]): Promise<void>;
}
