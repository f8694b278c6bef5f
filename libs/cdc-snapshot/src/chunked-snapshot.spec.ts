import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { ChunkedSnapshot, type ChunkRows } from './chunked-snapshot';
import type { SnapshotChunk, KeyTuple } from './snapshot-plan';
import { SnapshotState } from './snapshot-state';

const logger: ConnectorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as ConnectorLogger;

/** Keys 1..30 split at 10 and 20; pages of 4 rows. */
function table(failOnce: Set<string>) {
  const keys = Array.from({ length: 30 }, (_, i) => i + 1);
  return async (chunk: SnapshotChunk, resumeAfter: KeyTuple | null, onPage: (p: ChunkRows<number>) => Promise<void>): Promise<void> => {
    const lo = Number((resumeAfter ?? chunk.lo ?? ['0'])[0]);
    const hi = chunk.hi === null ? Infinity : Number(chunk.hi[0]);
    const rows = keys.filter((k) => k > lo && k <= hi);
    for (let i = 0; i < rows.length; i += 4) {
      const page = rows.slice(i, i + 4);
      await onPage({ rows: page, lastKey: [String(page[page.length - 1])] });
      if (failOnce.delete(chunk.id)) throw new Error('connection lost');
    }
  };
}

async function drain(runner: ChunkedSnapshot<number>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  while (!runner.finished) {
    out.push(...runner.take(5));
    await runner.waitForData(50);
  }
  return out;
}

describe('ChunkedSnapshot', () => {
  const run = (failOnce: Set<string>, state = SnapshotState.fromBoundaries([{ table: 'db.t', estimatedRows: 30, boundaries: [['10'], ['20']] }])) =>
    new ChunkedSnapshot<number>({
      state, threads: 2, maxBufferedRows: 8, readChunk: table(failOnce), hasKey: () => true, logger, reportStatus: () => undefined, progressIntervalMs: 60_000,
      offset: (s) => s.toJson() as unknown as Record<string, unknown>,
      toRecords: (_table, rows, offset) => rows.map((k) => ({ topic: 't', key: k, value: offset }) as unknown as SourceRecord),
    });

  it('reads every row once, in whole pages, and the state ends complete', async () => {
    const state = SnapshotState.fromBoundaries([{ table: 'db.t', estimatedRows: 30, boundaries: [['10'], ['20']] }]);
    const runner = run(new Set(), state);
    runner.start();
    const records = await drain(runner);
    await runner.stop();
    expect(records.map((r) => r.key).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(state.complete).toBe(true);
    expect((records[records.length - 1].value as { rows: Record<string, number> }).rows['db.t']).toBe(30);
  });

  it('a failed attempt resumes after the last buffered key: no duplicate rows', async () => {
    const runner = run(new Set(['db.t#1']));
    runner.start();
    const keys = (await drain(runner)).map((r) => Number(r.key));
    await runner.stop();
    expect(keys).toHaveLength(30);
    expect(new Set(keys).size).toBe(30);
  });

  it('a resumed state reads only the unfinished chunks, from their stored keys', async () => {
    const state = SnapshotState.fromBoundaries([{ table: 'db.t', estimatedRows: 30, boundaries: [['10'], ['20']] }]);
    const [c0, c1] = state.pending().map((p) => p.chunk);
    state.markRows(c0, 10, ['10']);
    state.markDone(c0);
    state.markRows(c1, 4, ['14']);
    const runner = run(new Set(), SnapshotState.fromJson(JSON.parse(JSON.stringify(state.toJson()))));
    runner.start();
    const keys = (await drain(runner)).map((r) => Number(r.key)).sort((a, b) => a - b);
    await runner.stop();
    expect(keys).toEqual(Array.from({ length: 16 }, (_, i) => i + 15));
  });
});
