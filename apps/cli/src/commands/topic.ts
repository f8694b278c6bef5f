import type { Command } from 'commander';
import type { ConfigResourceTypes } from 'kafkajs';
import { CliError, EXIT, kafkaError, type CliContext } from '../cli-context';
import { json, table } from '../output';
import { registerReassignCommands } from './topic-reassign';

/** Parses repeated `--config key=value` options. */
export function collectConfig(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new CliError(`--config ${value}: expected key=value`, EXIT.usage);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1).trim() };
}

const TOPIC = 2 as ConfigResourceTypes; // kafkajs ConfigResourceTypes.TOPIC

/** `millrace topic list|create|describe|alter|delete` over the Kafka protocol (any Kafka cluster); reassign, reassignments and elect-leaders in topic-reassign.ts. */
export function registerTopicCommands(program: Command, ctx: (cmd: Command) => CliContext): void {
  const topic = program.command('topic').description('list, create, describe, alter and delete topics');

  topic
    .command('list')
    .description('topics with their partition counts (internal topics with --all)')
    .option('--all', 'include internal topics (__consumer_offsets, ...)')
    .action(async (opts: { all?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const meta = await admin.fetchTopicMetadata();
        const rows = meta.topics.filter((t) => opts.all || !t.name.startsWith('__')).sort((a, b) => a.name.localeCompare(b.name)).map((t) => ({ name: t.name, partitions: t.partitions.length }));
        c.out(c.json ? json(rows) : table(['TOPIC', 'PARTITIONS'], rows.map((r) => [r.name, r.partitions])));
      } catch (err) {
        throw kafkaError(err, 'topic list');
      } finally {
        await admin.disconnect();
      }
    });

  topic
    .command('create <name>')
    .description('create a topic')
    .option('-p, --partitions <n>', 'partitions', (v) => positiveInt(v, '--partitions'), 1)
    .option('-r, --replication-factor <n>', 'replication factor', (v) => positiveInt(v, '--replication-factor'), 1)
    .option('-c, --config <key=value>', 'topic config (repeatable)', collectConfig, {})
    .action(async (name: string, opts: { partitions: number; replicationFactor: number; config: Record<string, string> }, cmd: Command) => {
      const c = ctx(cmd);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const created = await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic: name, numPartitions: opts.partitions, replicationFactor: opts.replicationFactor, configEntries: Object.entries(opts.config).map(([n, value]) => ({ name: n, value })) }],
        });
        // kafkajs answers false (no error) when the topic exists already
        if (!created) throw new CliError(`topic create ${name}: the topic already exists`, EXIT.failed);
        c.out(c.json ? json({ topic: name, partitions: opts.partitions, replicationFactor: opts.replicationFactor, configs: opts.config }) : `created topic ${name} (${opts.partitions} partitions)\n`);
      } catch (err) {
        throw err instanceof CliError ? err : kafkaError(err, `topic create ${name}`);
      } finally {
        await admin.disconnect();
      }
    });

  topic
    .command('describe <name>')
    .description('partitions (leader, replicas, ISR, offsets) and configs set on the topic')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const [meta, offsets, configs] = await Promise.all([
          admin.fetchTopicMetadata({ topics: [name] }),
          admin.fetchTopicOffsets(name),
          admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name }] }),
        ]);
        const partitions = meta.topics[0].partitions
          .sort((a, b) => a.partitionId - b.partitionId)
          .map((p) => {
            const o = offsets.find((x) => x.partition === p.partitionId);
            return { partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas ?? [], underReplicated: p.isr.length < p.replicas.length, low: Number(o?.low ?? 0), high: Number(o?.high ?? 0) };
          });
        const set = Object.fromEntries(configs.resources[0].configEntries.filter((e) => !e.isDefault).map((e) => [e.configName, e.isSensitive ? '(sensitive)' : e.configValue]));
        if (c.json) c.out(json({ topic: name, partitions, configs: set }));
        else {
          const status = (p: (typeof partitions)[number]): string => (p.leader < 0 ? 'OFFLINE' : p.underReplicated ? 'UNDER-REPLICATED' : 'ok');
          c.out(table(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'LOW', 'HIGH', 'STATUS'], partitions.map((p) => [p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(','), p.offlineReplicas.join(','), p.low, p.high, status(p)])));
          const entries = Object.entries(set);
          c.out(entries.length === 0 ? 'configs: (all defaults)\n' : `configs:\n${entries.map(([k, v]) => `  ${k}=${v}`).join('\n')}\n`);
        }
      } catch (err) {
        throw kafkaError(err, `topic describe ${name}`);
      } finally {
        await admin.disconnect();
      }
    });

  topic
    .command('alter <name>')
    .description("set (--config) or remove (--delete-config) topic configs; the topic's other configs are kept")
    .option('-c, --config <key=value>', 'config to set (repeatable)', collectConfig, {})
    .option('-d, --delete-config <key>', 'config to remove (repeatable)', (v: string, prev: string[] = []) => [...prev, v], [])
    .action(async (name: string, opts: { config: Record<string, string>; deleteConfig: string[] }, cmd: Command) => {
      const c = ctx(cmd);
      if (Object.keys(opts.config).length === 0 && opts.deleteConfig.length === 0) throw new CliError('topic alter: nothing to change (use --config key=value or --delete-config key)', EXIT.usage);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        // AlterConfigs replaces a topic's whole set: read what is set now and send the merged set.
        const current = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name }] });
        const merged: Record<string, string> = Object.fromEntries(current.resources[0].configEntries.filter((e) => !e.isDefault && !e.readOnly).map((e) => [e.configName, e.configValue]));
        for (const k of opts.deleteConfig) delete merged[k];
        Object.assign(merged, opts.config);
        await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name, configEntries: Object.entries(merged).map(([n, value]) => ({ name: n, value })) }] });
        c.out(c.json ? json({ topic: name, configs: merged }) : `altered topic ${name}\n`);
      } catch (err) {
        throw kafkaError(err, `topic alter ${name}`);
      } finally {
        await admin.disconnect();
      }
    });

  topic
    .command('delete <name>')
    .description('delete a topic and its data')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        await admin.deleteTopics({ topics: [name] });
        c.out(c.json ? json({ deleted: name }) : `deleted topic ${name}\n`);
      } catch (err) {
        throw kafkaError(err, `topic delete ${name}`);
      } finally {
        await admin.disconnect();
      }
    });

  registerReassignCommands(topic, ctx);
}

export function positiveInt(v: string, option: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${option} ${v}: expected a whole number >= 1`, EXIT.usage);
  return n;
}
