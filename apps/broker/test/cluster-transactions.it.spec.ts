import { Kafka, logLevel } from 'kafkajs';
import { DescribeTransactionsApi, ErrorCode, FindCoordinatorApi, MetadataApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { retryUntil, runKcat, SYSTEM_PYTHON, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';
import { partitionForTransactionalId } from '../src/transaction-coordinator/transaction-log-format';
import { ChildLines } from './support/child-lines';
import { awaitBrokers, killAndRestart } from './support/cluster-kill';

jest.setTimeout(200_000);

const STATE_PARTITIONS = 6;

/**
 * argv: bootstrap topic transactional_id transactions per_txn partitions
 * A librdkafka transactional producer: transaction t writes "t-<t>-<i>" to partition
 * i % partitions and commits; an abortable error aborts it, a retriable one retries the
 * commit. Prints "committed <t>" / "aborted <t>" as it goes, then a JSON summary.
 */
const TRANSACTIONAL_PRODUCER = `
import sys, json, time
from confluent_kafka import Producer, KafkaException
bs, topic, tid, n, per, parts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
p = Producer({'bootstrap.servers': bs, 'transactional.id': tid, 'transaction.timeout.ms': 30000, 'linger.ms': 5})
p.init_transactions(60)
committed, aborted, errors = [], [], []
for t in range(n):
    p.begin_transaction()
    for i in range(per):
        p.produce(topic, partition=i % parts, value=('t-%d-%d' % (t, i)).encode())
    while True:
        try:
            p.commit_transaction(60)
            committed.append(t)
            print('committed %d' % t, flush=True)
            break
        except KafkaException as e:
            err = e.args[0]
            errors.append(str(err))
            if err.txn_requires_abort():
                p.abort_transaction(60)
                aborted.append(t)
                print('aborted %d' % t, flush=True)
                break
            if not err.retriable():
                raise
            time.sleep(0.2)
    time.sleep(0.1)
print(json.dumps({'committed': committed, 'aborted': aborted, 'errors': errors[:20]}), flush=True)
`;

/**
 * The transaction coordinator follows leadership (issue 14): `__transaction_state` is a
 * replicated internal topic; a transactional id's coordinator is the leader of its
 * partition; markers reach partitions led by other brokers (WriteTxnMarkers). Its broker
 * killed -9 while a prepared commit's markers are held back: the broker that takes over
 * the partition loads the prepared transaction and completes it, and the producer goes
 * on with its next transactions through the new coordinator. A read_committed reader
 * sees every committed transaction's records exactly once and nothing of aborted ones.
 */
/** The number of the last transaction the producer printed as committed. */
function lastCommitted(lines: readonly string[]): number {
  const committed = lines.filter((l) => l.startsWith('committed '));
  return Number(committed[committed.length - 1]!.slice('committed '.length));
}

describe('transactions on a 3-broker cluster across the death of their coordinator', () => {
  const sessionTimeoutMs = 4000;
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    cluster = await startBrokerCluster({
      brokers: 3,
      clusterId: 'txn-test',
      sessionTimeoutMs,
      env: {
        MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: String(STATE_PARTITIONS),
        MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '6',
        MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000',
        // Prepared commits wait this long before their markers: a kill lands while one is prepared.
        MILLRACE_TXN_MARKER_DELAY_MS: '2000',
      },
    });
    brokers = cluster.brokers;
    await awaitBrokers(brokers, 3);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function txnCoordinator(via: BrokerProcess[], tid: string): Promise<number> {
    return retryUntil(`the coordinator of ${tid}`, async () => {
      for (const b of via) {
        const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'txn-test-raw', 2000).catch(() => null);
        if (!conn) continue;
        try {
          const r = await conn.send(FindCoordinatorApi.apiKey, 2, { key: tid, keyType: 1 });
          if (r.errorCode === ErrorCode.NONE) return r.nodeId;
        } finally {
          conn.close();
        }
      }
      throw new Error('COORDINATOR_NOT_AVAILABLE');
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }

  it('a prepared transaction completes on the new coordinator; the producer goes on; read_committed sees exactly the committed ones', async () => {
    const topic = 'txn-out';
    const tid = 'failover-tx';
    const admin = new Kafka({ clientId: 'txn-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const coordinator = await txnCoordinator(brokers, tid);
    // The coordinator is the leader of the id's __transaction_state partition, replicated on all three.
    const conn = await KafkaConnection.open(brokers[0].host, brokers[0].kafkaPort, 'txn-test-raw');
    try {
      const m = await conn.send(MetadataApi.apiKey, 9, { topics: [{ name: '__transaction_state', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const p = m.topics[0].partitions.find((x) => x.partitionIndex === partitionForTransactionalId(tid, STATE_PARTITIONS))!;
      expect(p.leaderId).toBe(coordinator);
      expect([...p.replicaNodes].sort()).toEqual([1, 2, 3]);
      expect(m.topics[0].isInternal).toBe(true);
    } finally {
      conn.close();
    }

    const transactions = 16;
    const per = 60;
    const producer = new ChildLines(SYSTEM_PYTHON, ['-c', TRANSACTIONAL_PRODUCER, cluster.bootstrap, topic, tid, String(transactions), String(per), '6'], { PYTHONUNBUFFERED: '1' });
    try {
      // Kill the coordinator right after a commit was answered: its markers are still held back (prepared).
      await producer.waitForLines('4 committed transactions', (lines) => lines.filter((l) => l.startsWith('committed')).length >= 4, 60_000);
      const victim = brokers.find((b) => b.nodeId === coordinator)!;
      const prepared = lastCommitted(producer.lines);
      // The kill lands while that commit is prepared: the coordinator says so (DescribeTransactions).
      const described = await KafkaConnection.open(victim.host, victim.kafkaPort, 'txn-test-raw').then(async (c) => {
        try {
          return (await c.send(DescribeTransactionsApi.apiKey, 0, { transactionalIds: [tid] })).transactionStates[0];
        } finally {
          c.close();
        }
      });
      expect({ prepared, state: described?.transactionState }).toEqual({ prepared, state: 'PrepareCommit' });
      await killAndRestart(victim, brokers.filter((b) => b !== victim), sessionTimeoutMs);
      const next = await txnCoordinator(brokers, tid);
      await producer.waitForLines('the producer to finish', (lines) => lines.some((l) => l.startsWith('{')), 150_000);
      const summary = JSON.parse(producer.lines.find((l) => l.startsWith('{'))!) as { committed: number[]; aborted: number[]; errors: string[] };
      expect(summary.committed.length + summary.aborted.length).toBe(transactions);
      expect(summary.committed.length).toBeGreaterThanOrEqual(transactions - 2);
      // the transaction prepared at the kill was completed (committed), not aborted
      expect(summary.committed).toContain(prepared);
      expect(next).toBeGreaterThan(0);

      // read_committed: every committed transaction's records once, nothing of the aborted ones.
      const expected = summary.committed.flatMap((t) => Array.from({ length: per }, (_, i) => `t-${t}-${i}`)).sort();
      await retryUntil('read_committed to see every committed transaction', async () => {
        const r = await runKcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-X', 'isolation.level=read_committed', '-f', '%s\\n'], { timeoutMs: 30_000 });
        const values = r.stdout.toString().trim().split('\n').filter(Boolean).sort();
        if (values.length < expected.length) throw new Error(`${values.length} of ${expected.length} visible`);
        expect(values).toEqual(expected);
      }, { timeoutMs: 40_000, intervalMs: 1000 });
    } finally {
      await producer.stop('SIGKILL').catch(() => undefined);
    }
  });
});
