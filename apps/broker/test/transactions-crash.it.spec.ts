import type { Admin, Kafka } from 'kafkajs';
import type { BrokerProcess } from '@millrace/testing';
import { startTestBroker } from './support/broker';
import { uniqueName } from './support/data';
import { consumeN, createTopic, makeKafka } from './support/kafka';
import { runPythonJson } from './support/python';
import { waitFor } from './support/wait-for';

/** argv: bootstrap topic; prints [read_committed high, read_uncommitted high] of partition 0 (ListOffsets latest). */
const WATERMARKS_SCRIPT = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
bs, topic = sys.argv[1], sys.argv[2]
out = []
for iso in ('read_committed', 'read_uncommitted'):
    c = Consumer({'bootstrap.servers': bs, 'group.id': 'wm-' + iso, 'isolation.level': iso})
    out.append(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)[1])
    c.close()
print(json.dumps(out))
`;

/**
 * A broker killed -9 while one transaction is prepared to commit (PrepareCommit durable,
 * its markers not yet written: they are held back by MILLRACE_TXN_MARKER_DELAY_MS in the
 * first run only) and another is still open: after restart the prepared one completes
 * (records and its sendOffsets offsets become visible), the open one is aborted when its
 * transaction.timeout.ms passes, the last stable offset moves on, and read_committed
 * consumers never see an aborted record.
 */
describe('transactions across a broker crash', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    // Read by the broker at launch (inherited environment), so only the first run has it.
    process.env.MILLRACE_TXN_MARKER_DELAY_MS = '120000';
    try {
      broker = await startTestBroker('transactions-crash', {
        MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false',
        MILLRACE_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS: '500',
      });
    } finally {
      delete process.env.MILLRACE_TXN_MARKER_DELAY_MS;
    }
    kafka = makeKafka(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    await broker?.stop();
  });

  test('kill -9 with a prepared and an open transaction', async () => {
    const topic = uniqueName('txn-crash');
    const input = uniqueName('txn-crash-in');
    const committedGroup = uniqueName('g-commit');
    const abortedGroup = uniqueName('g-abort');
    await createTopic(admin, topic, 1);
    await createTopic(admin, input, 1);
    const plain = kafka.producer();
    const prepared = kafka.producer({ transactionalId: uniqueName('tid-prepared'), maxInFlightRequests: 1, idempotent: true });
    const open = kafka.producer({ transactionalId: uniqueName('tid-open'), maxInFlightRequests: 1, idempotent: true, transactionTimeout: 4000 });
    await Promise.all([plain.connect(), prepared.connect(), open.connect()]);
    await plain.send({ topic: input, messages: [{ value: 'i0' }, { value: 'i1' }, { value: 'i2' }] });
    await plain.send({ topic, messages: [{ value: 'plain-0' }] });

    const tOpen = await open.transaction();
    await tOpen.send({ topic, messages: [{ value: 'open-aborted-0' }, { value: 'open-aborted-1' }] });
    await tOpen.sendOffsets({ consumerGroupId: abortedGroup, topics: [{ topic: input, partitions: [{ partition: 0, offset: '1' }] }] });
    const tPrepared = await prepared.transaction();
    await tPrepared.send({ topic, messages: [{ value: 'prepared-0' }, { value: 'prepared-1' }] });
    await tPrepared.sendOffsets({ consumerGroupId: committedGroup, topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }] });
    await tPrepared.commit(); // PrepareCommit is durable; the markers wait (MILLRACE_TXN_MARKER_DELAY_MS)
    await plain.send({ topic, messages: [{ value: 'plain-1' }] });

    // Both transactions hold the LSO at the first of them (offset 1); read_uncommitted sees all 6.
    expect(await runPythonJson<number[]>(WATERMARKS_SCRIPT, [broker.bootstrap, topic])).toEqual([1, 6]);
    const state = (await (await fetch(`http://127.0.0.1:${broker.httpPort}/admin/transactions`)).json()) as { transactions: { state: string }[] };
    expect(state.transactions.map((t) => t.state).sort()).toEqual(['Ongoing', 'PrepareCommit']);

    await broker.kill();
    await Promise.all([plain.disconnect(), prepared.disconnect(), open.disconnect()].map((p) => p.catch(() => undefined)));
    await broker.restart();
    await admin.disconnect().catch(() => undefined);
    kafka = makeKafka(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();

    // The prepared commit finished after restart; the open one was aborted at its timeout.
    await waitFor('both transactions complete', async () => {
      const view = (await (await fetch(`http://127.0.0.1:${broker.httpPort}/admin/transactions`)).json()) as { transactions: { state: string }[] };
      return view.transactions.map((t) => t.state).sort().join() === 'CompleteAbort,CompleteCommit';
    }, { timeoutMs: 30_000 });
    expect(broker.logs()).toMatch(/resuming commit of transaction/);
    expect(broker.logs()).toMatch(/exceeded its timeout of 4000 ms: aborting it/);

    // The LSO moved on: read_committed and read_uncommitted ends agree (6 records + 2 markers).
    expect(await runPythonJson<number[]>(WATERMARKS_SCRIPT, [broker.bootstrap, topic])).toEqual([8, 8]);
    const committed = await consumeN(kafka, { topic, count: 4, consumerConfig: { readUncommitted: false } });
    expect(committed.map((m) => m.value)).toEqual(['plain-0', 'prepared-0', 'prepared-1', 'plain-1']);
    // The aborted records (offsets 1-2) lie before the committed ones and were skipped; read_uncommitted sees them.
    const all = await consumeN(kafka, { topic, count: 6, consumerConfig: { readUncommitted: true } });
    expect(all.map((m) => m.value).sort()).toEqual(['open-aborted-0', 'open-aborted-1', 'plain-0', 'plain-1', 'prepared-0', 'prepared-1']);

    // Transactional offsets: the committed transaction's are visible, the aborted one's never.
    const [c] = await admin.fetchOffsets({ groupId: committedGroup, topics: [input] });
    expect(Number(c.partitions[0].offset)).toBe(2);
    const [a] = await admin.fetchOffsets({ groupId: abortedGroup, topics: [input] });
    expect(Number(a.partitions[0].offset)).toBe(-1);
  });
});
