import { broker } from '../api';
import { ErrorLine, Panel, Table } from '../components/ui';
import { usePoll } from '../hooks';

interface TopicDetail {
  name: string;
  replicationFactor: number;
  sizeBytes: number;
  partitions: Array<{ partition: number; leader: string | number; logStartOffset: number; logEndOffset: number; highWatermark: number; sizeBytes: number; offline: boolean; corruptRanges: unknown[] }>;
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
            headers={['partition', 'leader', 'log start', 'high watermark', 'log end', 'bytes', 'status']}
            rows={t.data.partitions.map((p) => [p.partition, p.leader, p.logStartOffset, p.highWatermark, p.logEndOffset, p.sizeBytes, p.offline ? 'OFFLINE' : p.corruptRanges.length > 0 ? 'CORRUPT RANGES' : 'ok'])}
          />
          <h3>Configs set on the topic or the broker</h3>
          <Table headers={['config', 'value', 'source']} rows={set.map(([k, c]) => [k, c.value ?? '', c.source])} />
        </>
      )}
    </Panel>
  );
}
