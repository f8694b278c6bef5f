import * as fs from 'node:fs';
import * as path from 'node:path';
import { GroupConsumer } from '../group-consumer/group-consumer';

/**
 * Test helper: a consumer-group member that "applies" records like an exactly-once sink:
 * each batch's offsets are appended to `<dir>/<topic>-<partition>.log` (one line per
 * record, one write per batch), and on every assignment it seeks each partition to the
 * offset after the last line there (the sink-stored offsets), so a member taking over a
 * partition continues exactly where the previous owner's writes ended. A batch is
 * written only if it is not stale (checked in the same event-loop turn as the write), so
 * after a rebalance the old owner writes nothing more. It also commits to the group (at
 * least once, one batch behind the file, so a member that did not seek would apply records
 * twice). `onJoin` hears each assignment.
 */
export function fileSinkMember(bootstrap: string, groupId: string, topic: string, dir: string, onJoin?: (assignment: Record<string, number[]>) => void): GroupConsumer {
  const consumer = new GroupConsumer({
    bootstrap: [bootstrap],
    groupId,
    clientId: `file-sink-${process.pid}`,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 300,
    rebalanceTimeoutMs: 5000,
    maxWaitMs: 100,
    maxBytesPerPartition: 1 << 16,
    maxBytes: 1 << 20,
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    for (const [t, partitions] of Object.entries(event.payload.memberAssignment)) {
      for (const partition of partitions) {
        const last = lastLine(path.join(dir, `${t}-${partition}.log`));
        if (last !== null) consumer.seek({ topic: t, partition, offset: String(last + 1) });
      }
    }
    onJoin?.(event.payload.memberAssignment);
  });
  void consumer.subscribe({ topics: [topic], fromBeginning: true });
  void consumer.run({
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (payload.isStale()) return;
      fs.appendFileSync(path.join(dir, `${batch.topic}-${batch.partition}.log`), batch.messages.map((m) => `${m.offset}\n`).join(''));
      payload.resolveOffset(batch.lastOffset());
      // Commits lag one batch behind the file (as a sink's group offsets may): only the seek to the file's offsets avoids duplicates.
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: batch.firstOffset() ?? batch.lastOffset() }]).catch(() => undefined);
    },
  });
  return consumer;
}

function lastLine(file: string): number | null {
  if (!fs.existsSync(file)) return null;
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '');
  return lines.length === 0 ? null : Number(lines[lines.length - 1]);
}

/** Run as a child process (the IT kills it with SIGKILL): FILE_SINK_BOOTSTRAP, FILE_SINK_GROUP, FILE_SINK_TOPIC, FILE_SINK_DIR; prints "joined <json>" on each assignment. */
if (require.main === module) {
  const env = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  fileSinkMember(env('FILE_SINK_BOOTSTRAP'), env('FILE_SINK_GROUP'), env('FILE_SINK_TOPIC'), env('FILE_SINK_DIR'), (a) => process.stdout.write(`joined ${JSON.stringify(a)}\n`));
}
