import { useMemo, useRef } from 'react';
import { broker, connect, metricsText, sumMetric, type ConnectorStatus } from '../api';
import { LineChart } from '../components/chart';
import { ErrorLine, Panel, State, Table } from '../components/ui';
import { usePoll } from '../hooks';

interface Cluster {
  clusterId: string;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
  replication: {
    brokers: Array<{ nodeId: number; host: string | null; port: number | null; rack: string | null; alive: boolean; leaderOf: number; replicaOf: number }>;
    partitions: number;
    underReplicatedPartitions: number;
    offlinePartitions: number;
    underReplicated: Array<{ topic: string; partition: number; replicas: number[]; isr: number[]; offlineReplicas: number[] }>;
    offline: Array<{ topic: string; partition: number; replicas: number[]; offlineReplicas: number[] }>;
  };
}
interface Health {
  status: string;
  offlinePartitions: Array<{ topic: string; partition: number }>;
  unresolvedCorruptRanges: number;
}
interface Alert {
  name: string;
  severity: string;
  state: string;
  since: string;
  summary: string;
  labels: Record<string, string>;
}
interface Rates {
  at: number;
  bytesIn: number;
  bytesOut: number;
  recordsIn: number;
  recordsOut: number;
}

/**
 * Brokers (every known one, live or not, with the partitions it leads and hosts), ISR
 * health (under-replicated and offline partitions, named), storage health, topics,
 * connectors by state, and bytes/records in and out over time (rates from /metrics).
 */
export function Overview() {
  const cluster = usePoll(() => broker<Cluster>('/admin/cluster'), 5000);
  const health = usePoll(() => broker<Health>('/health'), 5000);
  const topics = usePoll(() => broker<Array<{ name: string; internal: boolean }>>('/admin/topics'), 5000);
  const connectors = usePoll(() => connect<Record<string, { status: ConnectorStatus }>>('/connectors?expand=status'), 5000);
  const alerts = usePoll(async () => {
    const [b, c] = await Promise.all([broker<Alert[]>('/admin/alerts'), connect<Alert[]>('/alerts').catch(() => [] as Alert[])]);
    return [...b, ...c];
  }, 5000);
  const metrics = usePoll(async () => {
    const text = await metricsText();
    return { at: Date.now(), bytesIn: sumMetric(text, 'millrace_topic_bytes_in_total'), bytesOut: sumMetric(text, 'millrace_topic_bytes_out_total'), recordsIn: sumMetric(text, 'millrace_topic_records_in_total'), recordsOut: sumMetric(text, 'millrace_topic_records_out_total') };
  }, 2000);
  const history = useRef<Rates[]>([]);
  const series = useMemo(() => {
    const m = metrics.data;
    if (m && history.current[history.current.length - 1]?.at !== m.at) history.current = [...history.current.slice(-120), m];
    const h = history.current;
    const rate = (k: keyof Omit<Rates, 'at'>): Array<[number, number]> => h.slice(1).map((p, i) => [p.at, Math.max(0, (p[k] - h[i][k]) / ((p.at - h[i].at) / 1000))]);
    return { bytes: { in: rate('bytesIn'), out: rate('bytesOut') }, records: { in: rate('recordsIn'), out: rate('recordsOut') } };
  }, [metrics.data]);
  const byState = new Map<string, number>();
  for (const { status } of Object.values(connectors.data ?? {})) byState.set(status.connector.state, (byState.get(status.connector.state) ?? 0) + 1);
  return (
    <>
      <Panel title="Active alerts" testId="alerts">
        <ErrorLine error={alerts.error} />
        <Table headers={['alert', 'severity', 'state', 'since', 'summary']} rows={(alerts.data ?? []).map((a) => [a.name, a.severity, <State key="s" state={a.state} />, a.since, a.summary])} />
      </Panel>
      <Panel title="Brokers" testId="brokers">
        <ErrorLine error={cluster.error} />
        {cluster.data && (
          <>
            <p>cluster <code>{cluster.data.clusterId}</code>, controller {cluster.data.controllerId}</p>
            <Table
              testId="broker-table"
              headers={['node', 'host', 'port', 'rack', 'state', 'role', 'leader of', 'replicas']}
              rows={cluster.data.replication.brokers.map((b) => [
                b.nodeId,
                b.host ?? '',
                b.port ?? '',
                b.rack ?? '',
                <State key="s" state={b.alive ? 'UP' : 'DOWN'} />,
                b.nodeId === cluster.data!.controllerId ? 'controller' : '',
                b.leaderOf,
                b.replicaOf,
              ])}
            />
            <p data-testid="isr-health">
              ISR health: {cluster.data.replication.partitions} partitions, <span data-testid="under-replicated-count">{cluster.data.replication.underReplicatedPartitions}</span> under-replicated,{' '}
              <span data-testid="offline-count">{cluster.data.replication.offlinePartitions}</span> offline
            </p>
            {cluster.data.replication.underReplicated.length + cluster.data.replication.offline.length > 0 && (
              <Table
                testId="unhealthy-partitions"
                headers={['partition', 'problem', 'replicas', 'isr', 'offline replicas']}
                rows={[
                  ...cluster.data.replication.offline.map((p) => [`${p.topic}-${p.partition}`, 'offline (no live leader)', p.replicas.join(', '), '', p.offlineReplicas.join(', ')]),
                  ...cluster.data.replication.underReplicated.map((p) => [`${p.topic}-${p.partition}`, 'under-replicated', p.replicas.join(', '), p.isr.join(', '), p.offlineReplicas.join(', ')]),
                ]}
              />
            )}
          </>
        )}
        <ErrorLine error={health.error} />
        {health.data && (
          <p data-testid="health">
            health <State state={health.data.status} />, offline partitions {health.data.offlinePartitions.length}, unresolved corrupt ranges {health.data.unresolvedCorruptRanges}
          </p>
        )}
      </Panel>
      <Panel title="Throughput" testId="throughput">
        <ErrorLine error={metrics.error} />
        <LineChart series={series.bytes} unit="bytes/s" testId="bytes-chart" />
        <LineChart series={series.records} unit="records/s" testId="records-chart" />
      </Panel>
      <Panel title="Topics and connectors" testId="summary">
        <ErrorLine error={topics.error ?? connectors.error} />
        <p>{topics.data ? `${topics.data.filter((t) => !t.internal).length} topics (${topics.data.filter((t) => t.internal).length} internal)` : ''}</p>
        <Table headers={['connector state', 'connectors']} rows={[...byState.entries()].map(([s, n]) => [<State key={s} state={s} />, n])} testId="connector-states" />
      </Panel>
    </>
  );
}
