import type { Admin } from 'kafkajs';
import type { BrokerProcess } from '@millrace/testing';
import { useTestBroker } from './support/broker';
import { uniqueName } from './support/data';
import { createTopic, makeKafka } from './support/kafka';
import { runPythonJson } from './support/python';

/**
 * argv: bootstrap out_topic in_topic group tid broker_pid
 * 1. init_transactions; a committed and an aborted transaction on out_topic.
 * 2. consume-transform-produce: reads 4 records of in_topic as a group member and
 *    commits the transformed records together with the consumed offsets
 *    (send_offsets_to_transaction with the consumer's group metadata: TxnOffsetCommit v3).
 * 3. an abortable error: the broker is frozen (SIGSTOP) while a record is in flight, so
 *    its delivery times out; abort_transaction recovers (librdkafka bumps the epoch with
 *    InitProducerId v3+ carrying its producer id and epoch, KIP-360) and the next
 *    transaction commits.
 * Finally reads out_topic read_committed and read_uncommitted.
 */
const TXN_SCRIPT = `
import sys, json, time, os, signal
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaException
bs, out_topic, in_topic, group, tid, broker_pid = sys.argv[1:7]
broker_pid = int(broker_pid)
p = Producer({'bootstrap.servers': bs, 'transactional.id': tid, 'linger.ms': 5, 'transaction.timeout.ms': 60000,
              'message.timeout.ms': 3000, 'request.timeout.ms': 2000})
p.init_transactions(30)
p.begin_transaction()
for i in range(3):
    p.produce(out_topic, value=('c1-%d' % i).encode(), partition=0)
p.commit_transaction(30)
p.begin_transaction()
for i in range(3):
    p.produce(out_topic, value=('a-%d' % i).encode(), partition=0)
p.flush(30)  # abort_transaction purges unsent records: make sure these reach the log first
p.abort_transaction(30)

c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest',
              'enable.auto.commit': False, 'isolation.level': 'read_committed'})
c.subscribe([in_topic])
msgs = []
deadline = time.time() + 30
while len(msgs) < 4 and time.time() < deadline:
    m = c.poll(0.5)
    if m is None or m.error():
        continue
    msgs.append(m)
p.begin_transaction()
for m in msgs:
    p.produce(out_topic, value=b'x-' + m.value(), partition=0)
before = c.committed([TopicPartition(in_topic, 0)], 10)[0].offset
p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
during = c.committed([TopicPartition(in_topic, 0)], 10)[0].offset
p.commit_transaction(30)
after = c.committed([TopicPartition(in_topic, 0)], 10)[0].offset
c.close()

abortable = None
# An abortable error that needs an epoch bump: a record whose delivery times out while the
# broker is frozen (it may or may not have been written, so librdkafka must bump its epoch).
p.begin_transaction()
p.produce(out_topic, value=b'doomed-1', partition=0)
p.flush(30)
os.kill(broker_pid, signal.SIGSTOP)
try:
    p.produce(out_topic, value=b'doomed-2', partition=0)
    p.flush(8)
finally:
    os.kill(broker_pid, signal.SIGCONT)
try:
    p.commit_transaction(30)
except KafkaException as e:
    err = e.args[0]
    abortable = {'code': err.name(), 'txn_requires_abort': err.txn_requires_abort(), 'fatal': err.fatal()}
    p.abort_transaction(30)
p.begin_transaction()
p.produce(out_topic, value=b'after-recovery', partition=0)
p.commit_transaction(30)

def read_all(isolation):
    r = Consumer({'bootstrap.servers': bs, 'group.id': 'reader-' + isolation + '-' + out_topic, 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False, 'isolation.level': isolation})
    r.assign([TopicPartition(out_topic, 0, 0)])
    out = []
    idle = 0
    while idle < 6:
        m = r.poll(0.5)
        if m is None:
            idle += 1
            continue
        if m.error():
            continue
        out.append(m.value().decode())
    r.close()
    return out

print(json.dumps({'consumed': len(msgs), 'offsetBefore': before, 'offsetDuring': during, 'offsetAfter': after,
                  'abortable': abortable,
                  'committed': read_all('read_committed'), 'uncommitted': read_all('read_uncommitted')}))
`;

interface TxnResult {
  consumed: number;
  offsetBefore: number;
  offsetDuring: number;
  offsetAfter: number;
  abortable: { code: string; txn_requires_abort: boolean; fatal: boolean } | null;
  committed: string[];
  uncommitted: string[];
}

describe('transactions (python confluent_kafka, librdkafka 2.0.2)', () => {
  let broker: BrokerProcess;
  let admin: Admin;

  useTestBroker('transactions-python', { MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' }, (env) => {
    ({ broker, admin } = env);
  });

  test('init_transactions, commit, abort, send_offsets_to_transaction and recovery from an abortable error', async () => {
    const out = uniqueName('py-txn-out');
    const input = uniqueName('py-txn-in');
    await createTopic(admin, out, 1);
    await createTopic(admin, input, 1);
    const seed = makeKafka(broker.bootstrap).producer();
    await seed.connect();
    await seed.send({ topic: input, messages: [0, 1, 2, 3].map((i) => ({ value: `in-${i}` })) });
    await seed.disconnect();

    const r = await runPythonJson<TxnResult>(TXN_SCRIPT, [broker.bootstrap, out, input, uniqueName('py-ctp'), uniqueName('py-tid'), String(broker.pid)]);
    expect(r.consumed).toBe(4);
    // The offsets became visible only with the commit (librdkafka reports "no offset" as -1001).
    expect(r.offsetBefore).toBeLessThan(0);
    expect(r.offsetDuring).toBeLessThan(0);
    expect(r.offsetAfter).toBe(4);
    expect(r.abortable).toMatchObject({ txn_requires_abort: true, fatal: false });
    expect(r.committed).toEqual(['c1-0', 'c1-1', 'c1-2', 'x-in-0', 'x-in-1', 'x-in-2', 'x-in-3', 'after-recovery']);
    // read_uncommitted also sees the aborted records (the frozen one may or may not have been written).
    expect(r.uncommitted.filter((v) => v !== 'doomed-2').sort()).toEqual([...r.committed, 'a-0', 'a-1', 'a-2', 'doomed-1'].sort());
    // librdkafka recovered through InitProducerId carrying its producer id and epoch (v3+).
    expect(broker.logs()).toMatch(/recovers with an epoch bump \(KIP-360\)/);
  });
});
