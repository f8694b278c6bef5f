import type { SourceRecord } from '@millrace/connect-sdk';
import { IncrementalSnapshotRunner, type IncrementalReader } from './incremental-runner';
import { IncrementalSnapshotState } from './incremental-snapshot';
import { keyRangeTable, until, type Watermark } from './test-support/key-range-table';

const logger = { info: () => undefined, warn: () => undefined };

/** A table of keys 1..n in memory (rows are the keys); watermarks are recorded for the test to play back as "the stream". */
function fakeReader(n: number, marks: Watermark[]): IncrementalReader<number> {
  const table = keyRangeTable(n, marks, (k) => k);
  return { ...table, readKeyRange: (_t, after, upTo, _f, limit) => table.readKeyRange(after, upTo, limit) };
}

describe('IncrementalSnapshotRunner', () => {
  it('reads a table window by window; a key changed inside a window is not emitted; progress and offset state follow', async () => {
    const marks: { id: string; type: string }[] = [];
    const statuses: (string | null)[] = [];
    const runner = new IncrementalSnapshotRunner<number, string>({
      state: new IncrementalSnapshotState(),
      chunkSize: 4,
      name: 'test',
      logger,
      reportStatus: (m) => statuses.push(m),
      tables: () => new Map([['db.t', true], ['db.nokey', false]]),
      openReader: async () => fakeReader(6, marks),
      toRecords: (_table, rows, at) => rows.map((r) => ({ value: r, at }) as unknown as SourceRecord),
    });
    runner.start();
    runner.signal('s1', 'execute-snapshot', '{"data-collections": ["db.t", "db.nokey"]}');
    expect(runner.commitTag().keep).toBe(true);
    const emitted: unknown[] = [];
    // play the stream: open, a change of key 2, close
    await until(() => marks.length === 2);
    expect(runner.onWatermark(marks[0].id, 'open', 'lsn-1')).toEqual([]);
    runner.onChange('db.t', [['2']]);
    for (const r of runner.onWatermark(marks[1].id, 'close', 'lsn-2')) emitted.push(r.value);
    expect(emitted).toEqual([1, 3, 4]);
    expect(runner.progress()).toEqual([{ table: 'db.t', rowsDone: 3, estimatedRows: 6, chunksDone: 0, chunks: 0, kind: 'incremental' }]);
    expect(runner.commitTag().state).toMatchObject({ tables: [{ table: 'db.t' }], last_key: ['4'], max_key: ['6'] });
    // a marker of another window is ignored; the next window reads the rest
    await until(() => marks.length === 4);
    expect(runner.onWatermark('unknown', 'close', 'x')).toEqual([]);
    runner.onWatermark(marks[2].id, 'open', 'lsn-3');
    for (const r of runner.onWatermark(marks[3].id, 'close', 'lsn-4')) emitted.push(r.value);
    expect(emitted).toEqual([1, 3, 4, 5, 6]);
    expect(runner.active).toBe(false);
    expect(statuses[statuses.length - 1]).toBeNull();
    expect(statuses).toContain('incremental snapshot: db.t 3/6 rows (50%)');
    await runner.stop();
  });

  it('a bad signal is ignored; resetTo goes back to a stored state', async () => {
    const marks: { id: string; type: string }[] = [];
    const runner = new IncrementalSnapshotRunner<number, string>({
      state: new IncrementalSnapshotState(),
      chunkSize: 4,
      name: 'test',
      logger,
      tables: () => new Map([['db.t', true]]),
      openReader: async () => fakeReader(6, marks),
      toRecords: () => [],
    });
    runner.signal('s1', 'execute-snapshot', '{not json');
    expect(runner.active).toBe(false);
    runner.resetTo({ tables: [{ table: 'db.t', filter: null }], last_key: ['4'], max_key: ['6'], rows: 4 });
    expect(runner.active).toBe(true);
    expect(runner.commitTag().state).toMatchObject({ last_key: ['4'], rows: 4 });
    await runner.stop();
  });
});
