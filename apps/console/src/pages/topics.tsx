import { useState } from 'react';
import { broker } from '../api';
import { ErrorLine, Panel, Table } from '../components/ui';
import { usePoll } from '../hooks';

interface TopicDetail {
  name: string;
  replicationFactor: number;
  sizeBytes: number;
  partitions: Array<{ partition: number; leader: string | number; leaderId: number; replicas: number[]; isr: number[]; offlineReplicas: number[]; underReplicated: boolean; logStartOffset: number; logEndOffset: number; highWatermark: number; sizeBytes: number; offline: boolean; corruptRanges: unknown[] }>;
  configs: Record<string, { value: string | null; source: string }>;
}

export function Topics() {
  const topics = usePoll(() => broker<Array<{ name: string; partitions: number; internal: boolean }>>('/admin/topics'), 5000);
  return (
    <Panel title="Topics" testId="topics">
      <ErrorLine error={topics.error} />
      <Table
        testId="topic-table"
        headers={['topic', 'partitions', 'internal']}
        rows={(topics.data ?? []).map((t) => [<a key={t.name} href={`#/topics/${encodeURIComponent(t.name)}`}>{t.name}</a>, t.partitions, t.internal ? 'yes' : ''])}
      />
    </Panel>
  );
}

export function TopicPage({ name }: { name: string }) {
  const t = usePoll(() => broker<TopicDetail>(`/admin/topics/${encodeURIComponent(name)}`), 3000, [name]);
  const set = Object.entries(t.data?.configs ?? {}).filter(([, c]) => c.source !== 'default');
  return (
    <Panel title={`Topic ${name}`} testId="topic">
      <ErrorLine error={t.error} />
      {t.data && (
        <>
          <p>replication factor {t.data.replicationFactor}, {t.data.sizeBytes} bytes</p>
          <Table
            testId="partition-table"
            headers={['partition', 'leader', 'replicas', 'isr', 'offline replicas', 'log start', 'high watermark', 'log end', 'bytes', 'status']}
            rows={t.data.partitions.map((p) => [
              p.partition,
              p.leaderId >= 0 ? p.leaderId : 'none',
              p.replicas.join(', '),
              p.isr.join(', '),
              p.offlineReplicas.join(', '),
              p.logStartOffset,
              p.highWatermark,
              p.logEndOffset,
              p.sizeBytes,
              p.offline ? 'OFFLINE' : p.underReplicated ? 'UNDER-REPLICATED' : p.corruptRanges.length > 0 ? 'CORRUPT RANGES' : 'ok',
            ])}
          />
          <MessageBrowser topic={name} partitions={t.data.partitions.length} />
          <h3>Configs set on the topic or the broker</h3>
          <Table headers={['config', 'value', 'source']} rows={set.map(([k, c]) => [k, c.value ?? '', c.source])} />
        </>
      )}
    </Panel>
  );
}

interface Shown {
  encoding: 'avro' | 'utf8' | 'base64';
  size: number;
  schemaId?: number;
  json?: unknown;
  text?: string;
  base64?: string;
}
interface BrowsedRecord {
  offset: number;
  timestamp: number;
  key: Shown | null;
  value: Shown | null;
  headers: Array<{ key: string; value: Shown | null }>;
}

function shown(b: Shown | null): string {
  if (b === null) return 'null';
  if (b.encoding === 'avro') return `${JSON.stringify(b.json)}  (Avro, schema ${b.schemaId})`;
  if (b.encoding === 'utf8') return b.text ?? '';
  return `base64:${b.base64}`;
}

/** Records of one partition from an offset or a time (the admin API's message browser), Avro decoded through the registry. */
export function MessageBrowser({ topic, partitions }: { topic: string; partitions: number }) {
  const [partition, setPartition] = useState(0);
  const [from, setFrom] = useState('');
  const [mode, setMode] = useState<'offset' | 'time'>('offset');
  const [query, setQuery] = useState('');
  const page = usePoll(
    () => broker<{ records: BrowsedRecord[]; highWatermark: number; from: number }>(`/admin/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?limit=50${query}`),
    5000,
    [topic, partition, query],
  );
  const go = (): void => {
    if (from.trim() === '') return setQuery('');
    setQuery(mode === 'offset' ? `&offset=${encodeURIComponent(from.trim())}` : `&timestamp=${new Date(from.trim()).getTime()}`);
  };
  return (
    <div className="browser" data-testid="message-browser">
      <h3>Messages</h3>
      <form onSubmit={(e) => (e.preventDefault(), go())}>
        partition{' '}
        <select aria-label="partition" value={partition} onChange={(e) => setPartition(Number(e.target.value))}>
          {Array.from({ length: partitions }, (_, i) => <option key={i} value={i}>{i}</option>)}
        </select>{' '}
        from{' '}
        <select aria-label="from" value={mode} onChange={(e) => setMode(e.target.value as 'offset' | 'time')}>
          <option value="offset">offset</option>
          <option value="time">time</option>
        </select>{' '}
        <input aria-label="start" placeholder={mode === 'offset' ? 'latest 50' : '2026-12-07T10:00:00Z'} value={from} onChange={(e) => setFrom(e.target.value)} /> <button type="submit">Show</button>
      </form>
      <ErrorLine error={page.error} />
      <Table
        testId="message-table"
        headers={['offset', 'time', 'key', 'value', 'headers']}
        rows={(page.data?.records ?? []).map((r) => [r.offset, new Date(r.timestamp).toISOString(), shown(r.key), shown(r.value), r.headers.map((h) => `${h.key}=${shown(h.value)}`).join('\n')])}
      />
    </div>
  );
}
