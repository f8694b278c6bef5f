import { useState } from 'react';
import { ApiError, connect } from '../api';
import { Bar, ErrorLine, State, Table } from '../components/ui';
import { usePoll } from '../hooks';

interface ReconcileReport {
  state: string;
  started_at: string;
  finished_at: string | null;
  drifted_chunks: number;
  tables: Array<{
    target: string;
    source: string;
    state: string;
    chunks: number;
    chunks_done: number;
    source_rows: number;
    target_rows: number;
    error?: string;
    drifted: Array<{ chunk: number; from: string[] | null; to: string[] | null; source_rows: number; target_rows: number }>;
  }>;
}

/**
 * A table sink's reconciliation (POST/GET /connectors/{c}/reconcile): a button to run it,
 * progress per table, and the drifted chunks with their key ranges.
 */
export function ReconcilePanel({ name }: { name: string }) {
  const path = `/connectors/${encodeURIComponent(name)}/reconcile`;
  const report = usePoll(() => connect<ReconcileReport>(path).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))), 2000, [name]);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setError(null);
    try {
      await connect(path, { method: 'POST' });
      report.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const r = report.data;
  return (
    <div data-testid="reconcile">
      <h3>Reconciliation</h3>
      <ErrorLine error={report.error ?? error} />
      <button onClick={start} disabled={r?.state === 'RUNNING'}>Reconcile now</button>
      {r ? (
        <>
          <p>
            <State state={r.state} /> started {r.started_at}
            {r.finished_at ? `, finished ${r.finished_at}` : ''}: <b data-testid="drifted-chunks">{r.drifted_chunks}</b> drifted chunk(s)
          </p>
          <Table
            headers={['table', 'source', 'state', 'chunks', 'rows (source / target)', 'drift']}
            rows={r.tables.map((t) => [
              t.target,
              t.source,
              <State key="s" state={t.state} />,
              <span key="c"><Bar done={t.chunks_done} total={Math.max(t.chunks, 1)} /> {t.chunks_done}/{t.chunks}</span>,
              `${t.source_rows} / ${t.target_rows}`,
              t.error ?? (t.drifted.map((d) => `keys (${d.from?.join(',') ?? '-∞'}, ${d.to?.join(',') ?? '+∞'}]: ${d.source_rows} / ${d.target_rows} rows`).join('; ') || 'none'),
            ])}
          />
        </>
      ) : (
        <p>not reconciled on this worker yet</p>
      )}
    </div>
  );
}
