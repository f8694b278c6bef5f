import type { Admin, Kafka } from 'kafkajs';
import { buildBatch, decodeResponse, encodeRequest, ErrorCode } from '@millrace/protocol';
import type { BrokerProcess } from '@millrace/testing';
import { useTestBroker } from './support/broker';
import { uniqueName } from './support/data';
import { consumeN, createTopic, makeKafka, topicOffsets } from './support/kafka';
import { RawConnection } from './support/raw-connection';
import { waitFor } from './support/wait-for';

/**
 * Kafka transactions with kafkajs 2.2.4 against a real broker: commit and abort,
 * read_committed vs read_uncommitted consumers, consume-transform-produce (sendOffsets),
 * fencing of an older producer with the same transactional id, DescribeTransactions-like
 * operations through /admin/transactions, and the metrics.
 */
describe('transactions (kafkajs)', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: Admin;

  useTestBroker('transactions-kafkajs', { MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' }, (env) => {
    ({ broker, kafka, admin } = env);
  });

  const values = (rows: { value: string | null }[]): string[] => rows.map((r) => r.value ?? '');

  test('commit and abort: read_committed sees only committed records, read_uncommitted sees both', async () => {
    const topic = uniqueName('txn');
    await createTopic(admin, topic, 2);
    const producer = kafka.producer({ transactionalId: uniqueName('tid'), maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `committed-a-${i}`, partition: i % 2 })) });
      await t1.commit();
      const t2 = await producer.transaction();
      await t2.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `aborted-${i}`, partition: i % 2 })) });
      await t2.abort();
      const t3 = await producer.transaction();
      await t3.send({ topic, messages: [0, 1].map((i) => ({ key: `k${i}`, value: `committed-b-${i}`, partition: i % 2 })) });
      await t3.commit();
    } finally {
      await producer.disconnect();
    }
    // Per partition: 2 + 2 + 1 records plus 3 markers.
    const offsets = await topicOffsets(admin, topic);
    expect([...offsets.values()].map((o) => o.high)).toEqual([8, 8]);

    const committed = await consumeN(kafka, { topic, count: 6, consumerConfig: { readUncommitted: false } });
    expect(values(committed).sort()).toEqual(['committed-a-0', 'committed-a-1', 'committed-a-2', 'committed-a-3', 'committed-b-0', 'committed-b-1']);
    const uncommitted = await consumeN(kafka, { topic, count: 10, consumerConfig: { readUncommitted: true } });
    expect(values(uncommitted).filter((v) => v.startsWith('aborted')).sort()).toEqual(['aborted-0', 'aborted-1', 'aborted-2', 'aborted-3']);
    expect(uncommitted).toHaveLength(10);
  });

  test('an open transaction holds read_committed consumers at the last stable offset until it commits', async () => {
    const topic = uniqueName('txn-lso');
    await createTopic(admin, topic, 1);
    const plain = kafka.producer();
    const producer = kafka.producer({ transactionalId: uniqueName('tid'), maxInFlightRequests: 1, idempotent: true });
    await Promise.all([plain.connect(), producer.connect()]);
    try {
      await plain.send({ topic, messages: [{ value: 'before' }] });
      const t = await producer.transaction();
      await t.send({ topic, messages: [{ value: 'in-txn' }] });
      await plain.send({ topic, messages: [{ value: 'after' }] });
      // read_committed ListOffsets latest answers the LSO (1), read_uncommitted the high watermark (3).
      const raw = makeKafka(broker.bootstrap);
      const c = raw.consumer({ groupId: uniqueName('g'), readUncommitted: false, maxWaitTimeInMs: 100 });
      const got: string[] = [];
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void got.push(message.value?.toString() ?? '') });
      await waitFor('the record before the transaction', () => got.length >= 1, { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 1000));
      expect(got).toEqual(['before']);
      const view = (await fetchJson(`http://127.0.0.1:${broker.httpPort}/admin/transactions`)) as {
        open: number;
        transactions: { transactionalId: string; state: string; partitions: unknown[] }[];
        openPartitions: { topic: string; firstOffset: number; lastStableOffset: number; highWatermark: number; transactionalId: string | null }[];
      };
      expect(view.open).toBeGreaterThanOrEqual(1);
      const ongoing = view.transactions.find((x) => x.state === 'Ongoing' && x.partitions.length === 1);
      expect(ongoing).toBeDefined();
      expect(view.openPartitions.find((o) => o.topic === topic)).toEqual(
        expect.objectContaining({ firstOffset: 1, lastStableOffset: 1, highWatermark: 3, transactionalId: ongoing!.transactionalId }),
      );
      const metrics = await (await fetch(`http://127.0.0.1:${broker.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/millrace_transactions_open\{state="Ongoing"\} [1-9]/);
      await t.commit();
      await waitFor('the committed record and the one after it', () => got.length >= 3, { timeoutMs: 20_000 });
      expect(got).toEqual(['before', 'in-txn', 'after']);
      await c.disconnect();
    } finally {
      await Promise.all([plain.disconnect(), producer.disconnect()]);
    }
  });

  test('sendOffsets commits the consumed offsets only with the transaction', async () => {
    const input = uniqueName('txn-in');
    const output = uniqueName('txn-out');
    const groupId = uniqueName('ctp');
    await createTopic(admin, input, 1);
    await createTopic(admin, output, 1);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: input, messages: [0, 1, 2, 3, 4, 5].map((i) => ({ value: `in-${i}` })) });
    await plain.disconnect();
    const producer = kafka.producer({ transactionalId: uniqueName('tid'), maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    try {
      // Aborted: output records and offsets both vanish.
      const t1 = await producer.transaction();
      await t1.send({ topic: output, messages: [{ value: 'out-aborted' }] });
      await t1.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }] });
      await t1.abort();
      expect(await committedOffset(admin, groupId, input)).toBe(-1);
      // Open: the offset is not visible until the commit.
      const t2 = await producer.transaction();
      await t2.send({ topic: output, messages: [{ value: 'out-committed' }] });
      await t2.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '4' }] }] });
      expect(await committedOffset(admin, groupId, input)).toBe(-1);
      await t2.commit();
      await waitFor('offset 4 committed', async () => (await committedOffset(admin, groupId, input)) === 4, { timeoutMs: 10_000 });
    } finally {
      await producer.disconnect();
    }
    const out = await consumeN(kafka, { topic: output, count: 1, consumerConfig: { readUncommitted: false } });
    expect(values(out)).toEqual(['out-committed']);
  });

  test('a second producer with the same transactional id fences the first and aborts its open transaction', async () => {
    const topic = uniqueName('txn-fence');
    await createTopic(admin, topic, 1);
    const tid = uniqueName('tid');
    const older = makeKafka(broker.bootstrap, 'older', { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } }).producer({ transactionalId: tid, maxInFlightRequests: 1, idempotent: true });
    const newer = kafka.producer({ transactionalId: tid, maxInFlightRequests: 1, idempotent: true });
    await older.connect();
    try {
      const t1 = await older.transaction();
      await t1.send({ topic, messages: [{ value: 'zombie' }] });
      await newer.connect();
      const t2 = await newer.transaction();
      await t2.send({ topic, messages: [{ value: 'winner' }] });
      await expect(t1.send({ topic, messages: [{ value: 'zombie-2' }] })).rejects.toThrow();
      await expect(t1.commit()).rejects.toThrow();
      await t2.commit();
    } finally {
      await older.disconnect().catch(() => undefined);
      await newer.disconnect();
    }
    const got = await consumeN(kafka, { topic, count: 1, consumerConfig: { readUncommitted: false } });
    expect(values(got)).toEqual(['winner']);
    const all = await consumeN(kafka, { topic, count: 2, consumerConfig: { readUncommitted: true } });
    expect(values(all)).toEqual(['zombie', 'winner']);
  });

  test('DescribeTransactions, ListTransactions, ApiVersions, and transactional produce outside a transaction refused', async () => {
    const topic = uniqueName('txn-ops');
    const other = uniqueName('txn-ops-other');
    await createTopic(admin, topic, 1);
    await createTopic(admin, other, 1);
    const tid = uniqueName('tid');
    const producer = kafka.producer({ transactionalId: tid, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 30_000 });
    await producer.connect();
    const conn = await RawConnection.open('127.0.0.1', broker.kafkaPort);
    let correlation = 0;
    const call = async <K extends number>(apiKey: K, version: number, body: object) => {
      const id = ++correlation;
      conn.write(encodeRequest(apiKey, version, id, 'txn-ops', body as never));
      const frame = await conn.nextFrame(10_000);
      if (!Buffer.isBuffer(frame)) throw new Error(`no answer to API ${apiKey}: ${frame}`);
      return decodeResponse(apiKey, version, frame).body;
    };
    try {
      const t = await producer.transaction();
      await t.send({ topic, messages: [{ value: 'v' }] });

      const versions = await call(18, 3, { clientSoftwareName: 'it', clientSoftwareVersion: '1' });
      const advertised = new Map(versions.apiKeys.map((a) => [a.apiKey, a.maxVersion]));
      expect([24, 25, 26, 28, 65, 66].map((k) => advertised.get(k))).toEqual([3, 3, 3, 3, 0, 1]);
      expect(advertised.get(22)).toBe(4);

      const described = await call(65, 0, { transactionalIds: [tid, 'no-such-id'] });
      expect(described.transactionStates[0]).toMatchObject({ errorCode: ErrorCode.NONE, transactionalId: tid, transactionState: 'Ongoing', transactionTimeoutMs: 30_000, topics: [{ topic, partitions: [0] }] });
      expect(described.transactionStates[1].errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      const pid = described.transactionStates[0].producerId;
      const epoch = described.transactionStates[0].producerEpoch;

      const listed = await call(66, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1 });
      expect(listed.unknownStateFilters).toEqual(['Bogus']);
      expect(listed.transactionStates).toContainEqual({ transactionalId: tid, producerId: pid, transactionState: 'Ongoing' });
      const none = await call(66, 1, { stateFilters: [], producerIdFilters: [pid], durationFilter: 3_600_000 });
      expect(none.transactionStates).toEqual([]);

      // A transactional batch for a partition the transaction does not hold is refused.
      const txnBatch = buildBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('sneaky'), timestamp: Date.now() }], producerId: pid, producerEpoch: epoch, baseSequence: 0, transactional: true });
      const refused = await call(0, 7, { transactionalId: tid, acks: -1, timeoutMs: 5000, topicData: [{ name: other, partitionData: [{ index: 0, records: txnBatch }] }] });
      expect(refused.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
      // ... and so is a transactional batch without a transactionalId (no marker could ever close it).
      const orphan = buildBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('orphan'), timestamp: Date.now() }], producerId: pid + 1000, producerEpoch: 0, baseSequence: 0, transactional: true });
      const noId = await call(0, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: other, partitionData: [{ index: 0, records: orphan }] }] });
      expect(noId.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_RECORD);
      expect((await topicOffsets(admin, other)).get(0)!.high).toBe(0);
      await t.commit();
    } finally {
      conn.destroy();
      await producer.disconnect();
    }
  });
});

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

async function committedOffset(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(t.partitions[0].offset);
}
