import { Registry } from 'prom-client';
import { SnapshotMetrics } from './snapshot-metrics';

describe('snapshot progress in /metrics', () => {
  const registry = new Registry();
  const series = async (): Promise<string[]> => (await registry.metrics()).split('\n').filter((l) => l.startsWith('millrace_snapshot_'));

  it('shows what a task pushed, per table; null or a removed task drops its series (ConnectMetrics.forTask pushes here, removeTask removes)', async () => {
    const metrics = new SnapshotMetrics(registry);
    metrics.set('cdc/0', 'cdc', 0, [
      { table: 'public.orders', rowsDone: 1200, estimatedRows: 1000, chunksDone: 2, chunks: 5 },
      { table: 'public.lines', rowsDone: 0, estimatedRows: 800, chunksDone: 0, chunks: 1 },
    ]);
    expect(await series()).toEqual(
      expect.arrayContaining([
        'millrace_snapshot_rows_done{connector="cdc",task="0",table="public.orders"} 1200',
        // a table that grew since the plan: the total is never below what is done
        'millrace_snapshot_rows_total{connector="cdc",task="0",table="public.orders"} 1200',
        'millrace_snapshot_chunks_done{connector="cdc",task="0",table="public.orders"} 2',
        'millrace_snapshot_chunks_total{connector="cdc",task="0",table="public.orders"} 5',
        'millrace_snapshot_rows_total{connector="cdc",task="0",table="public.lines"} 800',
      ]),
    );
    metrics.set('cdc/0', 'cdc', 0, null);
    expect(await series()).toEqual([]);
    metrics.set('cdc/0', 'cdc', 0, [{ table: 'public.orders', rowsDone: 1, estimatedRows: 2, chunksDone: 0, chunks: 1 }]);
    expect(await series()).toHaveLength(4);
    metrics.remove('cdc/0');
    expect(await series()).toEqual([]);
  });

  it('tables of an incremental snapshot have their own series', async () => {
    const own = new Registry();
    const metrics = new SnapshotMetrics(own);
    const all = async (): Promise<string[]> => (await own.metrics()).split('\n').filter((l) => /^millrace_(incremental_)?snapshot_/.test(l));
    metrics.set('inc/0', 'inc', 0, [
      { table: 'public.items', rowsDone: 20, estimatedRows: 20, chunksDone: 1, chunks: 1 },
      { table: 'public.items', rowsDone: 5, estimatedRows: 30, chunksDone: 0, chunks: 0, kind: 'incremental' },
    ]);
    expect(await all()).toEqual(
      expect.arrayContaining([
        'millrace_snapshot_rows_done{connector="inc",task="0",table="public.items"} 20',
        'millrace_incremental_snapshot_rows_done{connector="inc",task="0",table="public.items"} 5',
        'millrace_incremental_snapshot_rows_total{connector="inc",task="0",table="public.items"} 30',
      ]),
    );
    expect((await all()).filter((l) => l.startsWith('millrace_incremental_'))).toHaveLength(2);
    metrics.remove('inc/0');
  });
});
