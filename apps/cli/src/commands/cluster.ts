import type { Command } from 'commander';
import { EXIT, kafkaError, type CliContext } from '../cli-context';
import { httpJson } from '../http-json';
import { json, table } from '../output';
import { connectCall, type ConnectorStatus } from './connector';

/**
 * `millrace cluster status`: one look at every component — the Kafka cluster (id,
 * controller, brokers: Metadata over the Kafka protocol), replication (every known
 * broker with liveness, under-replicated and offline partitions by name: the admin API's
 * GET /admin/cluster), the broker's health (storage, offline logs, corrupt ranges), the
 * schema registry and Kafka Connect (workers' version, connectors and tasks by state).
 * Exit 0 when everything answers and is healthy, 1 when something is degraded (a broker
 * down, a partition under-replicated or offline, a task failed), 4 when a component
 * cannot be reached.
 */
export function registerClusterCommands(program: Command, ctx: (cmd: Command) => CliContext): void {
  program
    .command('cluster')
    .description('the platform at a glance')
    .command('status')
    .description('brokers, controller, broker health, registry and connect')
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const out: Record<string, unknown> = {};
      let exit: number = EXIT.ok;
      const worse = (code: number): void => {
        if (code === EXIT.unreachable || exit === EXIT.ok) exit = code;
      };

      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const d = await admin.describeCluster();
        out.kafka = { clusterId: d.clusterId, controller: d.controller, brokers: d.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })) };
      } catch (err) {
        out.kafka = { error: kafkaError(err, 'Kafka').message };
        worse(EXIT.unreachable);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      const probe = async (key: string, fn: () => Promise<unknown>): Promise<void> => {
        try {
          out[key] = await fn();
        } catch (err) {
          out[key] = { error: (err as Error).message };
          worse((err as { exitCode?: number }).exitCode ?? EXIT.failed);
        }
      };
      await probe('replication', async () => (await httpJson<{ replication: Replication }>('GET', `${c.adminUrl}/admin/cluster`, undefined, 'broker admin', '--admin-url or MILLRACE_ADMIN_URL')).replication);
      await probe('broker', () => httpJson(`GET`, `${c.adminUrl}/health`, undefined, 'broker health', '--admin-url or MILLRACE_ADMIN_URL'));
      await probe('registry', async () => ({ subjects: (await httpJson<string[]>('GET', `${c.registryUrl}/subjects`, undefined, 'registry', '--registry-url or MILLRACE_REGISTRY_URL')).length }));
      await probe('connect', async () => {
        const info = await connectCall<{ version: string; kafka_cluster_id: string }>(c, 'GET', '/', undefined, 'connect');
        const all = await connectCall<Record<string, { status: ConnectorStatus }>>(c, 'GET', '/connectors?expand=status', undefined, 'connect');
        const states: Record<string, number> = {};
        for (const { status } of Object.values(all)) for (const t of status.tasks) states[t.state] = (states[t.state] ?? 0) + 1;
        return { version: info.version, kafkaClusterId: info.kafka_cluster_id, connectors: Object.keys(all).length, tasks: states };
      });
      const repl = out.replication as Partial<Replication> | undefined;
      if ((repl?.underReplicatedPartitions ?? 0) > 0 || (repl?.offlinePartitions ?? 0) > 0 || (repl?.brokers ?? []).some((b) => !b.alive)) worse(EXIT.failed);
      const broker = out.broker as { status?: string } | undefined;
      if (broker?.status && broker.status !== 'UP') worse(EXIT.failed);
      if (((out.connect as { tasks?: Record<string, number> } | undefined)?.tasks?.FAILED ?? 0) > 0) worse(EXIT.failed);

      if (c.json) c.out(json(out));
      else c.out(describe(out));
      process.exitCode = exit;
    });
}

/** The `replication` part of GET /admin/cluster. */
interface Replication {
  brokers: Array<{ nodeId: number; host: string | null; port: number | null; alive: boolean; leaderOf: number; replicaOf: number }>;
  partitions: number;
  underReplicatedPartitions: number;
  offlinePartitions: number;
  underReplicated: Array<{ topic: string; partition: number; isr: number[]; offlineReplicas: number[] }>;
  offline: Array<{ topic: string; partition: number; offlineReplicas: number[] }>;
}

function describeReplication(r: Replication & { error?: string }): string[] {
  if (r.error) return [`replicas  ?     ${r.error}`];
  const down = r.brokers.filter((b) => !b.alive).length;
  const state = r.offlinePartitions > 0 || r.underReplicatedPartitions > 0 || down > 0 ? 'DEGRADED' : 'UP';
  const lines = [`replicas  ${state}${' '.repeat(Math.max(1, 6 - state.length))}${r.partitions} partitions, ${r.underReplicatedPartitions} under-replicated, ${r.offlinePartitions} offline; ${r.brokers.length - down} of ${r.brokers.length} broker(s) live`];
  lines.push(table(['  NODE', 'STATE', 'ADDRESS', 'LEADER OF', 'REPLICAS'], r.brokers.map((b) => [`  ${b.nodeId}`, b.alive ? 'UP' : 'DOWN', b.host === null ? '?' : `${b.host}:${b.port}`, b.leaderOf, b.replicaOf])).trimEnd());
  for (const p of r.offline) lines.push(`  offline           ${p.topic}-${p.partition} (replicas down: ${p.offlineReplicas.join(',') || 'none'})`);
  for (const p of r.underReplicated) lines.push(`  under-replicated  ${p.topic}-${p.partition} (isr ${p.isr.join(',')}${p.offlineReplicas.length > 0 ? `, down: ${p.offlineReplicas.join(',')}` : ''})`);
  return lines;
}

function describe(out: Record<string, unknown>): string {
  const k = out.kafka as { clusterId?: string; controller?: number; brokers?: Array<{ nodeId: number; host: string; port: number }>; error?: string };
  const lines: string[] = [];
  if (k.error) lines.push(`kafka     DOWN  ${k.error}`);
  else {
    lines.push(`kafka     UP    cluster ${k.clusterId}, controller ${k.controller}, ${k.brokers!.length} broker(s)`);
    lines.push(table(['  BROKER', 'HOST', 'PORT'], k.brokers!.map((b) => [`  ${b.nodeId}${b.nodeId === k.controller ? ' (controller)' : ''}`, b.host, b.port])).trimEnd());
  }
  lines.push(...describeReplication(out.replication as Replication & { error?: string }));
  const b = out.broker as { status?: string; offlinePartitions?: unknown[]; unresolvedCorruptRanges?: number; error?: string };
  lines.push(b.error ? `broker    DOWN  ${b.error}` : `broker    ${b.status}${' '.repeat(Math.max(1, 6 - String(b.status).length))}offline partitions ${b.offlinePartitions?.length ?? 0}, corrupt ranges ${b.unresolvedCorruptRanges ?? 0}`);
  const r = out.registry as { subjects?: number; error?: string };
  lines.push(r.error ? `registry  DOWN  ${r.error}` : `registry  UP    ${r.subjects} subject(s)`);
  const cn = out.connect as { version?: string; connectors?: number; tasks?: Record<string, number>; error?: string };
  lines.push(cn.error ? `connect   DOWN  ${cn.error}` : `connect   UP    ${cn.connectors} connector(s), tasks ${Object.entries(cn.tasks ?? {}).map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`);
  return lines.join('\n') + '\n';
}
