import { useState } from 'react';
import { connect, type ConnectorStatus } from '../api';
import { Bar, ErrorLine, Panel, State, Table } from '../components/ui';
import { usePoll } from '../hooks';
import { CreateConnector } from './connector-form';
import { ReconcilePanel } from './reconcile-panel';

export function Connectors() {
  const all = usePoll(() => connect<Record<string, { status: ConnectorStatus }>>('/connectors?expand=status'), 3000);
  const [creating, setCreating] = useState(false);
  const rows = Object.values(all.data ?? {})
    .map(({ status }) => status)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => [<a key={s.name} href={`#/connectors/${encodeURIComponent(s.name)}`}>{s.name}</a>, s.type ?? '', <State key="s" state={s.connector.state} />, s.tasks.map((t) => t.state).join(', ')]);
  return (
    <Panel title="Connectors" testId="connectors">
      <ErrorLine error={all.error} />
      <Table testId="connector-table" headers={['connector', 'type', 'state', 'tasks']} rows={rows} />
      {creating ? <CreateConnector onDone={() => (setCreating(false), all.reload())} /> : <button onClick={() => setCreating(true)}>New connector</button>}
    </Panel>
  );
}

const PROGRESS = /snapshot (\d+)% \((\d+)\/(\d+) rows, (\d+)\/(\d+) chunks, (\d+) rows\/s, ETA (?:(\d+) s|unknown)\)/;

/** A connector's status per task (traces, snapshot progress bars), its actions and its offsets. */
export function ConnectorPage({ name }: { name: string }) {
  const path = `/connectors/${encodeURIComponent(name)}`;
  const status = usePoll(() => connect<ConnectorStatus>(`${path}/status`), 2000, [name]);
  const config = usePoll(() => connect<Record<string, string>>(`${path}/config`), 10_000, [name]);
  const dlq = config.data?.['errors.deadletterqueue.topic.name'];
  const offsets = usePoll(() => connect<{ offsets: Array<{ partition: unknown; offset: unknown }> }>(`${path}/offsets`), 5000, [name]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const act = (method: string, suffix: string) => async () => {
    setActionError(null);
    try {
      await connect(`${path}${suffix}`, { method });
      status.reload();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const s = status.data;
  return (
    <Panel title={`Connector ${name}`} testId="connector">
      <ErrorLine error={status.error ?? actionError} />
      {s && (
        <>
          <p>
            {s.type} connector <State state={s.connector.state} /> on {s.connector.worker_id}
          </p>
          <div className="actions">
            <button onClick={act('PUT', '/pause')}>Pause</button>
            <button onClick={act('PUT', '/resume')}>Resume</button>
            <button onClick={act('POST', '/restart?includeTasks=true')}>Restart</button>
            <button onClick={act('PUT', '/stop')}>Stop</button>
            <button onClick={() => setEditing(true)} disabled={!config.data}>Edit</button>
          </div>
          {editing && config.data ? <CreateConnector existing={{ name, config: config.data }} onDone={() => (setEditing(false), config.reload())} /> : null}
          <Table
            testId="task-table"
            headers={['task', 'state', 'worker', 'progress / trace']}
            rows={s.tasks.map((t) => {
              const m = PROGRESS.exec(t.trace ?? '');
              return [t.id, <State key="s" state={t.state} />, t.worker_id ?? '', m ? <span key="p"><Bar done={Number(m[2])} total={Number(m[3])} /> {m[2]}/{m[3]} rows, {m[6]} rows/s{m[7] ? `, ETA ${m[7]} s` : ''}</span> : <pre key="t">{t.trace ?? ''}</pre>];
            })}
          />
        </>
      )}
      {s?.type === 'sink' ? <ReconcilePanel name={name} /> : null}
      {dlq ? <p>dead letter queue: <a data-testid="dlq-link" href={`#/topics/${encodeURIComponent(dlq)}`}>{dlq}</a> (records with their error headers)</p> : null}
      <h3>Offsets</h3>
      <ErrorLine error={offsets.error} />
      <Table testId="offset-table" headers={['partition', 'offset']} rows={(offsets.data?.offsets ?? []).map((o) => [JSON.stringify(o.partition), JSON.stringify(o.offset)])} />
    </Panel>
  );
}
