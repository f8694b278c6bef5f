import type { Command } from 'commander';
import { CliError, EXIT, kafkaError, type CliContext } from '../cli-context';
import { json, table } from '../output';

/**
 * `millrace group list|describe|reset-offsets` over the Kafka protocol. `reset-offsets`
 * follows kafka-consumer-groups.sh: it shows the plan and changes nothing unless
 * `--execute` is given, and only for a group with no members (an active group would
 * overwrite the reset with its next commit).
 */
export function registerGroupCommands(program: Command, ctx: (cmd: Command) => CliContext): void {
  const group = program.command('group').description('consumer groups: list, describe with lag, reset offsets');

  group
    .command('list')
    .description('consumer groups with their state')
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const { groups } = await admin.listGroups();
        const described = groups.length === 0 ? [] : (await admin.describeGroups(groups.map((g) => g.groupId))).groups;
        const rows = described.map((g) => ({ group: g.groupId, state: g.state, protocolType: g.protocolType, members: g.members.length })).sort((a, b) => a.group.localeCompare(b.group));
        c.out(c.json ? json(rows) : table(['GROUP', 'STATE', 'TYPE', 'MEMBERS'], rows.map((r) => [r.group, r.state, r.protocolType, r.members])));
      } catch (err) {
        throw kafkaError(err, 'group list');
      } finally {
        await admin.disconnect();
      }
    });

  group
    .command('describe <group>')
    .description('state, members and per-partition committed offset, end offset and lag')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const [g] = (await admin.describeGroups([id])).groups;
        const committed = await admin.fetchOffsets({ groupId: id });
        if (g.state === 'Dead' && committed.length === 0) throw new CliError(`group ${id} does not exist`, EXIT.notFound);
        const partitions = [];
        for (const t of committed) {
          const ends = await admin.fetchTopicOffsets(t.topic);
          for (const p of t.partitions) {
            const end = Number(ends.find((e) => e.partition === p.partition)?.high ?? 0);
            const offset = Number(p.offset);
            partitions.push({ topic: t.topic, partition: p.partition, offset: offset >= 0 ? offset : null, end, lag: offset >= 0 ? Math.max(0, end - offset) : null });
          }
        }
        const out = { group: id, state: g.state, members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost })), partitions };
        if (c.json) c.out(json(out));
        else {
          c.out(`group ${id}: ${g.state}, ${g.members.length} member(s)\n`);
          c.out(table(['TOPIC', 'PARTITION', 'OFFSET', 'END', 'LAG'], partitions.map((p) => [p.topic, p.partition, p.offset ?? '-', p.end, p.lag ?? '-'])));
        }
      } catch (err) {
        throw err instanceof CliError ? err : kafkaError(err, `group describe ${id}`);
      } finally {
        await admin.disconnect();
      }
    });

  group
    .command('reset-offsets <group>')
    .description('move an inactive group to the earliest, the latest or a given offset (dry run without --execute)')
    .requiredOption('--topic <topic>', 'topic whose partitions are reset')
    .option('--to-earliest', 'to the log start')
    .option('--to-latest', 'to the log end')
    .option('--to-offset <n>', 'to this offset on every partition', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new CliError(`--to-offset ${v}: expected a whole number >= 0`, EXIT.usage);
      return n;
    })
    .option('--execute', 'apply the plan (without it, only show it)')
    .action(async (id: string, opts: { topic: string; toEarliest?: boolean; toLatest?: boolean; toOffset?: number; execute?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      const targets = [opts.toEarliest, opts.toLatest, opts.toOffset !== undefined].filter(Boolean).length;
      if (targets !== 1) throw new CliError('group reset-offsets: give exactly one of --to-earliest, --to-latest, --to-offset', EXIT.usage);
      const admin = c.kafka().admin();
      try {
        await admin.connect();
        const [g] = (await admin.describeGroups([id])).groups;
        if (g.members.length > 0) throw new CliError(`group ${id} has ${g.members.length} active member(s): stop its consumers first (state ${g.state})`, EXIT.failed);
        const ends = await admin.fetchTopicOffsets(opts.topic);
        const plan = ends
          .map((e) => ({ partition: e.partition, offset: opts.toEarliest ? Number(e.low) : opts.toLatest ? Number(e.high) : Math.min(Math.max(opts.toOffset!, Number(e.low)), Number(e.high)) }))
          .sort((a, b) => a.partition - b.partition);
        if (opts.execute) await admin.setOffsets({ groupId: id, topic: opts.topic, partitions: plan.map((p) => ({ partition: p.partition, offset: String(p.offset) })) });
        if (c.json) c.out(json({ group: id, topic: opts.topic, executed: opts.execute === true, partitions: plan }));
        else {
          c.out(table(['TOPIC', 'PARTITION', 'NEW-OFFSET'], plan.map((p) => [opts.topic, p.partition, p.offset])));
          c.out(opts.execute ? `reset ${plan.length} partition(s) of group ${id}\n` : 'dry run: nothing changed (add --execute)\n');
        }
      } catch (err) {
        throw err instanceof CliError ? err : kafkaError(err, `group reset-offsets ${id}`);
      } finally {
        await admin.disconnect();
      }
    });
}
