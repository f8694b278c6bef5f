import type { SourceOffset, SourceOffsetEntry, SourcePartition } from '../storage/offset-store';

/**
 * A connector's source offsets as a task sees them: the OffsetStore in the worker's
 * thread, its proxy in a task thread (task-thread-offsets.ts). `write` resolves once the
 * offsets are stored (connect-offsets, read back).
 */
export interface TaskOffsets {
  offset(connector: string, partition: SourcePartition): SourceOffset | null;
  write(connector: string, entries: readonly SourceOffsetEntry[]): Promise<void>;
  /**
   * Reads connect-offsets to its end (exactly-once tasks, after fencing the earlier
   * producers of the task): `offset` then answers what the last committed transaction
   * stored.
   */
  refresh(connector: string): Promise<void>;
  /** Offsets the task committed in its own transaction (the store reads them back by itself). */
  committed(connector: string, entries: readonly SourceOffsetEntry[]): void;
}
