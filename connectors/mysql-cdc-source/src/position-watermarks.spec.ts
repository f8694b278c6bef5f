import { IncrementalSnapshotRunner, IncrementalSnapshotState, type IncrementalReader, type KeyTuple } from '@millrace/cdc-snapshot';
import type { SourceRecord } from '@millrace/connect-sdk';
import { compareBinlogPoints, PositionWatermarks, type BinlogPoint } from './position-watermarks';
import { markRecentAsChanged, RecentKeys } from './recent-keys';

const logger = { info: () => undefined, warn: () => undefined };

describe('binlog-position watermarks', () => {
  it('compare by file sequence, then offset', () => {
    expect(compareBinlogPoints({ file: 'mysql-bin.000002', pos: 4 }, { file: 'mysql-bin.000001', pos: 9000 })).toBeGreaterThan(0);
    expect(compareBinlogPoints({ file: 'mysql-bin.000010', pos: 4 }, { file: 'mysql-bin.000009', pos: 4 })).toBeGreaterThan(0);
    expect(compareBinlogPoints({ file: 'b.000003', pos: 120 }, { file: 'b.000003', pos: 340 })).toBeLessThan(0);
    expect(compareBinlogPoints({ file: 'b.000003', pos: 340 }, { file: 'b.000003', pos: 340 })).toBe(0);
    expect(() => compareBinlogPoints({ file: 'x', pos: 1 }, { file: 'y', pos: 1 })).toThrow(/sequence number/);
  });

  it('an open is due at once; a close only once the stream handed out everything up to it, in order', () => {
    const marks = new PositionWatermarks();
    marks.add({ id: 'w1', type: 'open', file: 'b.000001', pos: 500 });
    marks.add({ id: 'w1', type: 'close', file: 'b.000001', pos: 900 });
    marks.add({ id: 'w2', type: 'open', file: 'b.000002', pos: 300 });
    expect(marks.due(null).map((m) => `${m.id}-${m.type}`)).toEqual(['w1-open']);
    expect(marks.due({ file: 'b.000001', pos: 899 })).toEqual([]);
    expect(marks.due({ file: 'b.000001', pos: 900 }).map((m) => `${m.id}-${m.type}`)).toEqual(['w1-close', 'w2-open']);
    expect(marks.size).toBe(0);
  });

  it('with the shared runner: chunk rows whose key the binlog changed between the watermarks are dropped, the rest emitted at the close position', async () => {
    // a table of keys 1..6; the reader takes the "server's binlog end" as each watermark
    let serverEnd: BinlogPoint = { file: 'b.000001', pos: 1000 };
    const marks = new PositionWatermarks();
    let closes = 0;
    const reader: IncrementalReader<number> = {
      largestKey: async () => ['6'],
      estimateRows: async () => 6,
      readKeyRange: async (_t, after: KeyTuple | null, upTo: KeyTuple, _f, limit) => {
        const from = after === null ? 1 : Number(after[0]) + 1;
        const keys = [];
        for (let k = from; k <= Number(upTo[0]) && keys.length < limit; k++) keys.push(k);
        // writes committed while the SELECT ran: the binlog end moves on
        serverEnd = { file: serverEnd.file, pos: serverEnd.pos + 200 };
        return keys.map((k) => ({ key: [String(k)], row: k }));
      },
      watermark: async (id, type) => {
        marks.add({ id, type, ...serverEnd });
        if (type === 'close') closes++;
      },
      close: async () => undefined,
    };
    const runner = new IncrementalSnapshotRunner<number, BinlogPoint>({
      state: new IncrementalSnapshotState(),
      chunkSize: 4,
      name: 'test',
      logger,
      tables: () => new Map([['db.t', true]]),
      openReader: async () => reader,
      toRecords: (_table, rows, at) => rows.map((r) => ({ value: r, at }) as unknown as SourceRecord),
    });
    const emitted: { value: number; at: BinlogPoint }[] = [];
    /** The task's loop: watermarks due at the stream position go to the runner first. */
    const streamAt = (at: BinlogPoint | null): void => {
      for (const m of marks.due(at)) for (const r of runner.onWatermark(m.id, m.type, m)) emitted.push(r as unknown as { value: number; at: BinlogPoint });
    };
    runner.start();
    runner.signal('s1', 'execute-snapshot', '{"data-collections": ["db.t"]}');
    while (closes < 1) await new Promise((resolve) => setImmediate(resolve));
    // the stream: transactions before the close position change keys 2 and 3 (dropped);
    // one ending after it changes key 4 (emitted: the chunk row goes out before that change)
    streamAt({ file: 'b.000001', pos: 1000 });
    runner.onChange('db.t', [['2']]);
    streamAt({ file: 'b.000001', pos: 1100 });
    runner.onChange('db.t', [['3']]);
    streamAt({ file: 'b.000001', pos: 1199 });
    expect(emitted).toEqual([]);
    streamAt({ file: 'b.000001', pos: 1200 });
    expect(emitted.map((e) => e.value)).toEqual([1, 4]);
    expect(emitted[0].at).toMatchObject({ file: 'b.000001', pos: 1200 });
    runner.onChange('db.t', [['4']]);
    expect(runner.commitTag().state).toMatchObject({ last_key: ['4'], rows: 2 });
    // the second window closes when the idle stream stands at its position (after a rotation)
    while (closes < 2) await new Promise((resolve) => setImmediate(resolve));
    streamAt({ file: 'b.000001', pos: 1300 });
    streamAt({ file: 'b.000002', pos: 4 });
    expect(emitted.map((e) => e.value)).toEqual([1, 4, 5, 6]);
    expect(runner.active).toBe(false);
    await runner.stop();
  });

  it('a transaction handed out before the window opened but not yet visible to the chunk SELECT: its key is dropped, not emitted stale', async () => {
    let serverEnd: BinlogPoint = { file: 'b.000001', pos: 1000 };
    const marks = new PositionWatermarks();
    let closes = 0;
    let opened = false;
    const reader: IncrementalReader<string> = {
      largestKey: async () => ['3'],
      estimateRows: async () => 3,
      // the SELECT still sees key 2 as it was before the transaction streamed just before
      readKeyRange: async () => [1, 2, 3].map((k) => ({ key: [String(k)], row: k === 2 ? 'old' : `v${k}` })),
      watermark: async (id, type) => {
        marks.add({ id, type, ...serverEnd });
        if (type === 'open') opened = true;
        if (type === 'close') closes++;
        serverEnd = { file: serverEnd.file, pos: serverEnd.pos + 100 };
      },
      close: async () => undefined,
    };
    const emittedWith = async (guard: boolean): Promise<string[]> => {
      const runner = new IncrementalSnapshotRunner<string, BinlogPoint>({
        state: new IncrementalSnapshotState(),
        chunkSize: 10,
        name: 'test',
        logger,
        tables: () => new Map([['db.t', true]]),
        openReader: async () => reader,
        toRecords: (_table, rows) => rows.map((r) => ({ value: r }) as unknown as SourceRecord),
      });
      const recent = new RecentKeys(10_000);
      const out: string[] = [];
      closes = 0;
      opened = false;
      runner.start();
      runner.signal('s1', 'execute-snapshot', '{"data-collections": ["db.t"]}');
      // the stream hands out T (key 2 -> 'new') at or before the low watermark, before the open is applied
      while (!opened) await new Promise((resolve) => setImmediate(resolve));
      runner.onChange('db.t', [['2']]);
      recent.add('db.t', [['2']]);
      while (closes < 1) await new Promise((resolve) => setImmediate(resolve));
      for (const m of marks.due({ ...serverEnd })) {
        for (const r of runner.onWatermark(m.id, m.type, m)) out.push((r as unknown as { value: string }).value);
        if (m.type === 'open' && guard) markRecentAsChanged(runner, recent, 10_000);
      }
      await runner.stop();
      return out;
    };
    expect(await emittedWith(false)).toEqual(['v1', 'old', 'v3']); // the race: key 2's old row would follow T's new one
    expect(await emittedWith(true)).toEqual(['v1', 'v3']);
  });
});
