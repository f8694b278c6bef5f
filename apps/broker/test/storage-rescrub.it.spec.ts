import * as fs from 'node:fs';
import * as path from 'node:path';
import { runKcat, startBroker, type BrokerProcess } from '@millrace/testing';
import { IT_LOG_DIR } from './support/broker';
import { uniqueName } from './support/data';
import { createTopic, makeKafka } from './support/kafka';
import { findPartitionDir, listSegments, readBatches } from './support/log-files';
import { waitFor } from './support/wait-for';

/**
 * Bytes that rot after they were verified are found while the broker runs (issue 10: the
 * scrubber re-verifies sealed segments on an interval): a batch of a sealed, already
 * verified segment is overwritten behind the running broker's back; the next
 * re-verification pass reports it (log line, admin API) and a fetch from its offset
 * answers CORRUPT_MESSAGE instead of serving the damaged bytes.
 */
describe('periodic re-verification of sealed segments (real broker)', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    fs.mkdirSync(IT_LOG_DIR, { recursive: true });
    broker = await startBroker({
      env: { MILLRACE_LOG_SCRUB_INTERVAL_MS: '300', MILLRACE_LOG_RESCRUB_INTERVAL_MS: '2000' },
      logFile: path.join(IT_LOG_DIR, 'storage-rescrub.log'),
      startTimeoutMs: 60_000,
    });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  test('a batch that rots after its first check is reported by the next pass and never served', async () => {
    const topic = uniqueName('rot');
    const kafka = makeKafka(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topic, 1, { 'segment.bytes': '40000', 'index.interval.bytes': '1024' });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 2000; i += 50) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 50 }, (_, k) => ({ value: `v-${i + k}-${'x'.repeat(40)}` })) });
    }
    await producer.disconnect();

    // Everything reads back cleanly first: the bytes were good when verified.
    const clean = await runKcat(['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\n']);
    expect(clean.stdout.toString().trim().split('\n')).toHaveLength(2000);
    const passesBefore = (broker.logs().match(/re-verification pass done/g) ?? []).length;

    const dir = findPartitionDir(broker.dataDir, topic, 0)!;
    const second = listSegments(dir)[1];
    const victim = readBatches(second.file)[3];
    const fd = fs.openSync(second.file, 'r+');
    fs.writeSync(fd, Buffer.from('rot!'), 0, 4, victim.position + Math.floor(victim.size / 2));
    fs.closeSync(fd);

    await waitFor('the next pass reports the rotted batch', () => broker.logs().includes(`CORRUPT batch in ${second.file}`), {
      timeoutMs: 20_000,
      describe: () => `passes done: ${(broker.logs().match(/re-verification pass done/g) ?? []).length - passesBefore}`,
    });
    expect(broker.logs()).toContain(`offsets ${victim.baseOffset}..${victim.baseOffset + victim.lastOffsetDelta}`);
    const described = (await (await fetch(`http://127.0.0.1:${broker.httpPort}/admin/topics/${topic}`)).json()) as {
      partitions: Array<{ corruptRanges: Array<{ fromOffset: number }> }>;
    };
    expect(described.partitions[0].corruptRanges).toEqual([expect.objectContaining({ fromOffset: victim.baseOffset })]);

    // A fetch from the batch's offset is refused, not answered with the rotted bytes.
    const read = await runKcat(['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', String(victim.baseOffset), '-c', '1', '-e', '-f', '%o\n'], { timeoutMs: 15_000 });
    expect(read.stdout.toString().trim()).toBe('');
    expect(read.stderr.toString()).toMatch(/Invalid message|CORRUPT/i);
  });
});
