import { useMemo, useRef, useState } from 'react';
import { broker } from '../api';
import { LineChart } from '../components/chart';
import { ErrorLine, Panel, State, Table } from '../components/ui';
import { usePoll } from '../hooks';

interface GroupDetail {
  groupId: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  offsets: Array<{ topic: string; partition: number; committedOffset: number; highWatermark: number; lag: number | null }>;
  totalLag: number;
}

export function Groups() {
  const groups = usePoll(() => broker<Array<{ groupId: string; state: string; protocolType: string }>>('/admin/groups'), 5000);
  return (
    <Panel title="Consumer groups" testId="groups">
      <ErrorLine error={groups.error} />
      <Table
        testId="group-table"
        headers={['group', 'state', 'type']}
        rows={(groups.data ?? []).map((g) => [<a key={g.groupId} href={`#/groups/${encodeURIComponent(g.groupId)}`}>{g.groupId}</a>, <State key="s" state={g.state} />, g.protocolType])}
      />
    </Panel>
  );
}

/** Partitions charted one by one (more would make the chart unreadable; the table has them all). */
const CHARTED_PARTITIONS = 12;

/** A group's members and per-partition lag, with its total lag and each partition's over time. */
export function GroupPage({ id }: { id: string }) {
  const g = usePoll(() => broker<GroupDetail>(`/admin/groups/${encodeURIComponent(id)}`), 2000, [id]);
  const history = useRef<Record<string, Array<[number, number]>>>({});
  const series = useMemo(() => {
    if (g.data) {
      const now = Date.now();
      const point = (name: string, value: number) => (history.current[name] = [...(history.current[name] ?? []).slice(-150), [now, value]]);
      point('lag', g.data.totalLag);
      for (const o of g.data.offsets.slice(0, CHARTED_PARTITIONS)) if (o.lag !== null) point(`${o.topic}[${o.partition}]`, o.lag);
    }
    return { ...history.current };
  }, [g.data]);
  return (
    <Panel title={`Group ${id}`} testId="group">
      <ErrorLine error={g.error} />
      {g.data && (
        <>
          <p>state <State state={g.data.state} />, {g.data.members.length} member(s), total lag <b data-testid="total-lag">{g.data.totalLag}</b></p>
          <LineChart series={series} unit="records" testId="lag-chart" />
          <Table
            testId="lag-table"
            headers={['topic', 'partition', 'committed', 'high watermark', 'lag']}
            rows={g.data.offsets.map((o) => [o.topic, o.partition, o.committedOffset, o.highWatermark, o.lag ?? '-'])}
          />
          {g.data.members.length === 0 && <ResetOffsets id={id} topics={[...new Set(g.data.offsets.map((o) => o.topic))]} onDone={g.reload} />}
          <h3>Members</h3>
          <Table headers={['member', 'client', 'host', 'assignment']} rows={g.data.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.assignment.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' ')])} />
        </>
      )}
    </Panel>
  );
}

/** Resets an inactive group's offsets for one topic (POST /admin/groups/{g}/offsets). */
function ResetOffsets({ id, topics, onDone }: { id: string; topics: string[]; onDone: () => void }) {
  const [topic, setTopic] = useState(topics[0] ?? '');
  const [to, setTo] = useState('earliest');
  const [result, setResult] = useState<string | null>(null);
  const reset = async (): Promise<void> => {
    try {
      const target = to === 'earliest' || to === 'latest' ? to : Number(to);
      const r = await broker<{ offsets: Array<{ partition: number; offset: number }> }>(`/admin/groups/${encodeURIComponent(id)}/offsets`, { method: 'POST', body: JSON.stringify({ topic, to: target }) });
      setResult(`reset: ${r.offsets.map((o) => `${o.partition}@${o.offset}`).join(', ')}`);
      onDone();
    } catch (e) {
      setResult(`refused: ${(e as Error).message}`);
    }
  };
  return (
    <form className="reset" data-testid="reset-offsets" onSubmit={(e) => (e.preventDefault(), void reset())}>
      <h3>Reset offsets (the group has no members)</h3>
      topic <input aria-label="reset topic" value={topic} onChange={(e) => setTopic(e.target.value)} /> to{' '}
      <input aria-label="reset to" value={to} onChange={(e) => setTo(e.target.value)} placeholder="earliest | latest | offset" /> <button type="submit">Reset</button>
      {result && <p data-testid="reset-result">{result}</p>}
    </form>
  );
}
