import type { Admin } from 'kafkajs';
import type { BrokerProcess } from '@millrace/testing';
import { useTestBroker } from './support/broker';
import { uniqueName } from './support/data';
import { createTopic } from './support/kafka';
import { findPartitionDir, listSegments, readBatches } from './support/log-files';
import { CONSUME_SCRIPT, PRODUCE_SCRIPT, runPythonJson, type ConsumeResult, type ProduceResult } from './support/python';

/**
 * argv: bootstrap topic group take
 * Consumes `take` records one poll at a time with enable.auto.commit=False, commits
 * synchronously, and prints what it read plus the committed offset of partition 0.
 */
const COMMIT_SCRIPT = `
import sys, json, time
from confluent_kafka import Consumer, TopicPartition
bs, topic, group, take = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.subscribe([topic])
out = []
deadline = time.time() + 60
while len(out) < take and time.time() < deadline:
    m = c.poll(0.5)
    if m is None or m.error():
        continue
    out.append([m.offset(), m.value().decode()])
commit_result = c.commit(asynchronous=False)
committed = c.committed([TopicPartition(topic, 0)], timeout=10)
c.close()
print(json.dumps({'records': out, 'commitResult': [[p.partition, p.offset] for p in (commit_result or [])], 'committed': [[p.partition, p.offset] for p in committed]}))
`;

/** argv: bootstrap topic ts... ; prints [[ts, offset], ...] from offsets_for_times on partition 0. */
const OFFSETS_FOR_TIMES_SCRIPT = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
bs, topic = sys.argv[1], sys.argv[2]
c = Consumer({'bootstrap.servers': bs, 'group.id': 'oft-' + topic})
out = []
for ts in sys.argv[3:]:
    res = c.offsets_for_times([TopicPartition(topic, 0, int(ts))], timeout=10)
    if res[0].error is not None:
        raise SystemExit('offsets_for_times(%s): %s' % (ts, res[0].error))
    out.append([int(ts), res[0].offset])
c.close()
print(json.dumps(out))
`;

describe('python confluent_kafka client', () => {
  let broker: BrokerProcess;
  let admin: Admin;

  useTestBroker('python-client', { MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' }, (env) => {
    ({ broker, admin } = env);
  });

  test('idempotent producer: all delivery reports OK, records read back exactly once', async () => {
    const topic = uniqueName('py-idem');
    await createTopic(admin, topic, 1);
    const n = 5000;
    const produced = await runPythonJson<ProduceResult>(PRODUCE_SCRIPT, [broker.bootstrap, topic, String(n), '1']);
    expect(produced).toEqual({ ok: n, errorCount: 0, errors: [], left: 0 });

    const read = await runPythonJson<ConsumeResult>(CONSUME_SCRIPT, [broker.bootstrap, topic, uniqueName('py-reader'), String(n), '60']);
    expect(read.errors).toEqual([]);
    expect(read.low).toBe(0);
    expect(read.high).toBe(n);
    expect(read.records.map((r) => r[1])).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(read.records.map((r) => r[2])).toEqual(Array.from({ length: n }, (_, i) => `v-${i}`));
    // The batches were written by an idempotent producer: one producer id, consecutive sequences.
    const dir = findPartitionDir(broker.dataDir, topic, 0)!;
    const batches = listSegments(dir).flatMap((s) => readBatches(s.file));
    expect(new Set(batches.map((b) => b.producerId)).size).toBe(1);
    expect(batches[0].producerId).toBeGreaterThanOrEqual(0);
    let expectedSeq = 0;
    for (const b of batches) {
      expect(b.baseSequence).toBe(expectedSeq);
      expectedSeq += b.recordCount;
    }
  });

  test('manual commit: a second consumer of the group resumes after the committed offset', async () => {
    const topic = uniqueName('py-commit');
    const group = uniqueName('py-g');
    await createTopic(admin, topic, 1);
    const produced = await runPythonJson<ProduceResult>(PRODUCE_SCRIPT, [broker.bootstrap, topic, '100']);
    expect(produced.ok).toBe(100);

    const first = await runPythonJson<{ records: Array<[number, string]>; commitResult: Array<[number, number]>; committed: Array<[number, number]> }>(
      COMMIT_SCRIPT,
      [broker.bootstrap, topic, group, '40'],
    );
    expect(first.records).toEqual(Array.from({ length: 40 }, (_, i) => [i, `v-${i}`]));
    expect(first.commitResult).toEqual([[0, 40]]);
    expect(first.committed).toEqual([[0, 40]]);

    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(offsets[0].partitions).toEqual([expect.objectContaining({ partition: 0, offset: '40' })]);

    const second = await runPythonJson<ConsumeResult>(CONSUME_SCRIPT, [broker.bootstrap, topic, group, '60', '60']);
    expect(second.errors).toEqual([]);
    expect(second.records.map((r) => r[1])).toEqual(Array.from({ length: 60 }, (_, i) => 40 + i));
    expect(second.records.map((r) => r[2])).toEqual(Array.from({ length: 60 }, (_, i) => `v-${40 + i}`));
  });

  test('offsets_for_times returns the first offset whose timestamp is >= the query', async () => {
    const topic = uniqueName('py-times');
    await createTopic(admin, topic, 1);
    const base = Date.now() - 3_600_000;
    // 100 records, timestamps base + i*1000, in batches of 7 so lookups cross batch boundaries.
    const produced = await runPythonJson<ProduceResult>(PRODUCE_SCRIPT, [broker.bootstrap, topic, '100', '0', String(base), '1000', '7']);
    expect(produced.ok).toBe(100);

    const queries: Array<[number, number]> = [
      [base - 5000, 0],
      [base, 0],
      [base + 1, 1],
      [base + 50_000, 50],
      [base + 50_500, 51],
      [base + 55_999, 56],
      [base + 99_000, 99],
      [base + 99_001, -1], // beyond the last timestamp: no such offset (librdkafka OFFSET_END)
    ];
    const got = await runPythonJson<Array<[number, number]>>(OFFSETS_FOR_TIMES_SCRIPT, [broker.bootstrap, topic, ...queries.map(([ts]) => String(ts))]);
    expect(got.map(([ts, offset]) => [ts - base, offset])).toEqual(queries.map(([ts, offset]) => [ts - base, offset]));
  });
});
