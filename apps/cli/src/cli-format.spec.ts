import { describeProgress, SnapshotProgressMeter, type TableProgress } from '@millrace/cdc-snapshot';
import { parseProgress, formatProgress } from './commands/snapshot';
import { collectConfig } from './commands/topic';
import { bar, table } from './output';

describe('CLI formats', () => {
  it('reads the progress line the CDC snapshot machinery writes (the two must not drift apart)', () => {
    const tables: TableProgress[] = [{ table: 'public.orders', rowsDone: 12_000, estimatedRows: 30_000, chunksDone: 4, chunks: 10 }];
    const meter = new SnapshotProgressMeter(0, 0);
    const line = describeProgress(meter.summarize(tables, 4_000), tables);
    const [p] = parseProgress({ name: 'pg', connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING', trace: line }] });
    expect(p).toMatchObject({ rowsDone: 12_000, rowsTotal: 30_000, chunksDone: 4, chunks: 10, rowsPerSecond: 3000, etaSeconds: 6, tables: 'public.orders 12000/30000' });
    expect(formatProgress('pg', [p])).toBe('pg task 0 [############..................]  40%  12000/30000 rows  4/10 chunks  3000 rows/s  ETA 6 s  public.orders 12000/30000\n');
  });

  it('tables, bars and --config pairs', () => {
    expect(table(['A', 'LONGER'], [['x', 1], ['yyyy', null]])).toBe('A     LONGER\nx     1\nyyyy\n');
    expect(bar(0.5, 10)).toBe('[#####.....]  50%');
    expect(bar(Number.NaN, 4)).toBe('[....]   0%');
    expect(collectConfig('retention.ms=1000', { a: 'b' })).toEqual({ a: 'b', 'retention.ms': '1000' });
    expect(() => collectConfig('novalue')).toThrow(/expected key=value/);
  });
});
