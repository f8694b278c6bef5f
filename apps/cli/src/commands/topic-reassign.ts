import type { Command } from 'commander';
import { KafkaConnection } from '@millrace/kafka-log';
import { AlterPartitionReassignmentsApi, ElectLeadersApi, ErrorCode, errorName, ListPartitionReassignmentsApi, type ApiByKey, type RequestInputOf, type ResponseOf } from '@millrace/protocol';
import { CliError, EXIT, type CliContext } from '../cli-context';
import { json, table } from '../output';

/**
 * `millrace topic reassign|reassignments|elect-leaders`: Kafka's partition reassignment
 * (AlterPartitionReassignments 45 / ListPartitionReassignments 46) and leader election
 * (ElectLeaders 43), as kafka-reassign-partitions.sh and kafka-leader-election.sh do
 * them. kafkajs has no client for these APIs, so they are sent over a plain protocol
 * connection to the first reachable bootstrap broker (Millrace brokers forward them to
 * the controller). A partition refused by the cluster exits 1 with Kafka's error name.
 */
export function registerReassignCommands(topic: Command, ctx: (cmd: Command) => CliContext): void {
  topic
    .command('reassign <name>')
    .description('move a partition to other brokers (--replicas 2,3,4), or cancel its move in progress (--cancel)')
    .requiredOption('--partition <p>', 'partition index', (v) => partitionIndex(v))
    .option('--replicas <ids>', 'target broker ids, preferred leader first (comma-separated)', brokerIds)
    .option('--cancel', 'cancel the reassignment in progress')
    .action(async (name: string, opts: { partition: number; replicas?: number[]; cancel?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      if ((opts.replicas === undefined) === (opts.cancel !== true)) throw new CliError('topic reassign: give either --replicas <ids> or --cancel', EXIT.usage);
      const r = await send(c, AlterPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 30_000, topics: [{ name, partitions: [{ partitionIndex: opts.partition, replicas: opts.replicas ?? null }] }] });
      if (r.errorCode !== 0) throw new CliError(`topic reassign ${name}: ${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`);
      const p = r.responses[0]?.partitions[0];
      if (p && p.errorCode !== 0) throw new CliError(`topic reassign ${name}-${opts.partition}: ${errorName(p.errorCode)}: ${p.errorMessage ?? ''}`, p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? EXIT.notFound : EXIT.failed);
      const what = opts.cancel ? 'cancelled' : 'started';
      c.out(c.json ? json({ topic: name, partition: opts.partition, [what]: true, replicas: opts.replicas ?? null }) : `reassignment of ${name}-${opts.partition} ${what}\n`);
    });

  topic
    .command('reassignments [name]')
    .description('reassignments in progress: replicas, adding and removing brokers')
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const r = await send(c, ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 30_000, topics: null });
      if (r.errorCode !== 0) throw new CliError(`topic reassignments: ${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`);
      const rows = r.topics
        .filter((t) => name === undefined || t.name === name)
        .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas })));
      c.out(c.json ? json(rows) : table(['TOPIC', 'PARTITION', 'REPLICAS', 'ADDING', 'REMOVING'], rows.map((x) => [x.topic, x.partition, x.replicas.join(','), x.adding.join(','), x.removing.join(',')])));
    });

  topic
    .command('elect-leaders [name]')
    .description("give partitions back to their preferred replica (all when no topic is named), or --unclean for leaderless ones")
    .option('--partition <p>', 'only this partition of the topic', (v) => partitionIndex(v))
    .option('--unclean', 'elect any live replica for a partition without a live in-sync one (may lose acknowledged records)')
    .action(async (name: string | undefined, opts: { partition?: number; unclean?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      if (name === undefined && opts.partition !== undefined) throw new CliError('topic elect-leaders: --partition needs a topic name', EXIT.usage);
      const partitions = name === undefined ? null : [{ topic: name, partitions: opts.partition === undefined ? await partitionsOf(c, name) : [opts.partition] }];
      const r = await send(c, ElectLeadersApi.apiKey, 2, { electionType: opts.unclean ? 1 : 0, topicPartitions: partitions, timeoutMs: 30_000 });
      const rows = r.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => ({ topic: t.topic, partition: p.partitionId, result: p.errorCode === 0 ? 'ELECTED' : errorName(p.errorCode), message: p.errorMessage })));
      c.out(c.json ? json(rows) : table(['TOPIC', 'PARTITION', 'RESULT'], rows.map((x) => [x.topic, x.partition, x.result])));
      // ELECTION_NOT_NEEDED is not a failure.
      if (r.errorCode !== 0 || rows.some((x) => x.result !== 'ELECTED' && x.result !== errorName(ErrorCode.ELECTION_NOT_NEEDED))) process.exitCode = EXIT.failed;
    });
}

async function partitionsOf(c: CliContext, name: string): Promise<number[]> {
  const admin = c.kafka().admin();
  try {
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [name] });
    return (meta.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
  } catch (err) {
    throw new CliError(`topic elect-leaders ${name}: ${(err as Error).message}`, EXIT.notFound);
  } finally {
    await admin.disconnect();
  }
}

/** Sends one request to the first bootstrap broker that answers. */
async function send<K extends number>(c: CliContext, apiKey: K, version: number, body: RequestInputOf<ApiByKey<K>>): Promise<ResponseOf<ApiByKey<K>>> {
  const failures: string[] = [];
  for (const address of c.bootstrap) {
    const colon = address.lastIndexOf(':');
    const [host, port] = colon > 0 ? [address.slice(0, colon), Number(address.slice(colon + 1))] : [address, 9092];
    let conn: KafkaConnection;
    try {
      conn = await KafkaConnection.open(host, port, 'millrace-cli', 3000);
    } catch (err) {
      failures.push(`${address}: ${(err as Error).message}`);
      continue;
    }
    try {
      return await conn.send(apiKey, version, body);
    } finally {
      conn.close();
    }
  }
  throw new CliError(`cannot reach the Kafka bootstrap servers (${failures.join('; ')}); set --bootstrap or MILLRACE_BOOTSTRAP`, EXIT.unreachable);
}

function partitionIndex(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--partition ${v}: expected a partition index >= 0`, EXIT.usage);
  return n;
}

function brokerIds(v: string): number[] {
  const ids = v.split(',').map((s) => Number(s.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 0)) throw new CliError(`--replicas ${v}: expected broker ids like 2,3,4`, EXIT.usage);
  return ids;
}
