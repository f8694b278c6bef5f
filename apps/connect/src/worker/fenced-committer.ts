import type { SourceOffsetEntry } from '../storage/offset-store';
import type { OutgoingRecord, SourceRecordCommitter } from './source-record-committer';

/** A source task tried to commit after its worker lost the task (stale group generation). */
export class StaleGenerationError extends Error {
  constructor(connector: string, task: number) {
    super(`task ${connector}-${task} no longer belongs to this worker (stale group generation): its records and offsets were not committed`);
    this.name = 'StaleGenerationError';
  }
}

/**
 * Fences a source task's commits by group generation until transactions exist: each
 * batch is produced and its offsets stored only while `owns()` says this worker still
 * holds the task in a live group membership; otherwise the commit throws
 * StaleGenerationError and nothing of the batch is written (the source runner retries
 * it until the membership is live again or the task is stopped).
 */
export class FencedCommitter implements SourceRecordCommitter {
  constructor(
    private readonly inner: SourceRecordCommitter,
    private readonly owns: () => boolean | Promise<boolean>,
    private readonly connector: string,
    private readonly task: number,
  ) {}

  open(): Promise<void> {
    return this.inner.open();
  }

  async commit(records: readonly OutgoingRecord[], offsets: readonly SourceOffsetEntry[]): Promise<void> {
    if (!(await this.owns())) throw new StaleGenerationError(this.connector, this.task);
    await this.inner.commit(records, offsets);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
