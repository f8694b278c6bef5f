import type { SourceRecord } from '@millrace/connect-sdk';
import { ChunkedSnapshot, type ChunkedSnapshotOptions, type ChunkRows } from './chunked-snapshot';
import { InProcessChunkQueue } from './in-process-chunk-queue';
import type { PendingChunk } from './snapshot-state';
import type { KeyTuple, SnapshotChunk } from './snapshot-plan';
import { SnapshotState } from './snapshot-state';

/** A table of keys 1..n read in pages of `page` keys; `failAt` makes the first read of a chunk fail after that key. */
function harness(opts: { rows: number; boundaries: number[]; threads: number; page: number; failAt?: number; state?: SnapshotState; extra?: Partial<ChunkedSnapshotOptions<number>> }) {
  const state = opts.state ?? SnapshotState.fromBoundaries([{ table: 't', estimatedRows: opts.rows, boundaries: opts.boundaries.map((b) => [String(b)]) }]);
  let failed = false;
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  const readChunk = async (chunk: SnapshotChunk, resumeAfter: KeyTuple | null, onPage: (p: ChunkRows<number>) => Promise<void>): Promise<void> => {
    const lo = Number((resumeAfter ?? chunk.lo)?.[0] ?? 0);
    const hi = Math.min(opts.rows, Number(chunk.hi?.[0] ?? opts.rows));
    for (let from = lo + 1; from <= hi; from += opts.page) {
      const rows = Array.from({ length: Math.min(opts.page, hi - from + 1) }, (_, i) => from + i);
      await new Promise((resolve) => setTimeout(resolve, 1));
      await onPage({ rows, lastKey: [String(rows[rows.length - 1])] });
      if (!failed && opts.failAt !== undefined && rows.includes(opts.failAt)) {
        failed = true;
        throw new Error('connection lost');
      }
    }
  };
  const snapshot = new ChunkedSnapshot<number>({
    state,
    threads: opts.threads,
    maxBufferedRows: 3 * opts.page,
    readChunk,
    hasKey: () => true,
    toRecords: (table, rows, offset) => rows.map((n) => ({ topic: table, key: n, value: n, sourcePartition: {}, sourceOffset: offset }) as unknown as SourceRecord),
    offset: (s) => ({ state: s.toJson(), complete: s.complete }),
    logger: quiet,
    reportStatus: () => undefined,
    progressIntervalMs: 60_000,
    backoffMs: 1,
    ...opts.extra,
  });
  return { state, snapshot };
}

async function drain(snapshot: ChunkedSnapshot<number>, max: number): Promise<SourceRecord[][]> {
  const batches: SourceRecord[][] = [];
  while (!snapshot.finished) {
    const batch = snapshot.take(max);
    if (batch.length > 0) batches.push(batch);
    else await snapshot.waitForData(100);
  }
  await snapshot.stop();
  return batches;
}

describe('ChunkedSnapshot', () => {
  it('reads every row once with parallel workers; a batch offset marks a chunk done only once all its rows were handed out', async () => {
    const { snapshot } = harness({ rows: 1000, boundaries: [250, 500, 750], threads: 3, page: 40 });
    snapshot.start();
    const batches = await drain(snapshot, 100);
    const keys = batches.flat().map((r) => Number(r.key));
    expect(keys.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const seen = new Set<number>();
    for (const batch of batches) {
      for (const r of batch) seen.add(Number(r.key));
      const offset = batch[0].sourceOffset as { state: { done: Record<string, number[]> }; complete: boolean };
      // every chunk the offset calls done has all its rows in this or earlier batches
      for (const index of offset.state.done['t'] ?? []) {
        const lo = [0, 250, 500, 750][index];
        const hi = [250, 500, 750, 1000][index];
        for (let k = lo + 1; k <= hi; k++) expect(seen.has(k)).toBe(true);
      }
    }
    expect((batches[batches.length - 1][0].sourceOffset as { complete: boolean }).complete).toBe(true);
  });

  it('a failed chunk attempt is retried from the last key it buffered: no row twice', async () => {
    const { snapshot, state } = harness({ rows: 300, boundaries: [150], threads: 2, page: 20, failAt: 60 });
    snapshot.start();
    const keys = (await drain(snapshot, 50)).flat().map((r) => Number(r.key));
    expect(keys).toHaveLength(300);
    expect(new Set(keys).size).toBe(300);
    expect(state.complete).toBe(true);
    expect(snapshot.progress()).toEqual([{ table: 't', rowsDone: 300, estimatedRows: 300, chunksDone: 2, chunks: 2 }]);
  });

  it('resumes a stored state: finished chunks are skipped, a started one continues after its last key', async () => {
    const first = harness({ rows: 400, boundaries: [200], threads: 1, page: 50 });
    const [c0, c1] = first.state.pending().map((p) => p.chunk);
    first.state.markRows(c0, 200, ['200']);
    first.state.markDone(c0);
    first.state.markRows(c1, 50, ['250']);
    const stored = JSON.parse(JSON.stringify(first.state.toJson())) as unknown;
    const { snapshot, state } = harness({ rows: 400, boundaries: [200], threads: 2, page: 50, state: SnapshotState.fromJson(stored) });
    snapshot.start();
    const keys = (await drain(snapshot, 100)).flat().map((r) => Number(r.key));
    expect(keys).toEqual(Array.from({ length: 150 }, (_, i) => 251 + i));
    expect(state.complete).toBe(true);
  });

  it('with a shared queue the status line adds the chunks done by every task (earlier runs + the queue), not only its own', async () => {
    // 4 chunks; chunk 0 was done in an earlier run; the queue also counts 2 chunks another task completed
    const state = SnapshotState.fromBoundaries([{ table: 't', estimatedRows: 400, boundaries: [['100'], ['200'], ['300']] }]);
    state.markRows(state.pending()[0].chunk, 100, ['100']);
    state.markDone(state.pending()[0].chunk);
    class ElsewhereToo extends InProcessChunkQueue<PendingChunk> {
      override stats() {
        const s = super.stats();
        return { ...s, completed: s.completed + 2 };
      }
    }
    const lines: string[] = [];
    const shared = { run: 'r1', context: {}, totals: { t: { rows: 400, chunks: 4 } } };
    const { snapshot } = harness({ rows: 400, boundaries: [100, 200, 300], threads: 1, page: 50, state, extra: { queue: new ElsewhereToo(), shared, reportStatus: (l: string | null) => void (l !== null && lines.push(l)) } });
    snapshot.start();
    expect(lines[0]).toMatch(/^snapshot 25% \(100\/400 rows, 1\/4 chunks, .*\): t 100\/400; all tasks: 3\/4 chunks$/);
    await drain(snapshot, 100);
    snapshot.reportProgress(false);
    // 1 earlier + 3 completed here + 2 elsewhere, capped at the plan's 4
    expect(lines[lines.length - 1]).toMatch(/; all tasks: 4\/4 chunks$/);
    // without a shared queue the line is the task's own figures only
    const alone: string[] = [];
    const own = harness({ rows: 100, boundaries: [], threads: 1, page: 50, extra: { reportStatus: (l: string | null) => void (l !== null && alone.push(l)) } });
    own.snapshot.start();
    await drain(own.snapshot, 100);
    expect(alone.every((l) => !l.includes('all tasks'))).toBe(true);
  });
});
