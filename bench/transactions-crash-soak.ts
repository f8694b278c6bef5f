import { spawn } from 'node:child_process';
import { findRepoRoot, runPython, startBroker, SYSTEM_PYTHON } from '@millrace/testing';
import { envInt } from './env-int';

/**
 * Transactions under repeated broker crashes (a soak, not part of npm test nor npm run bench):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/transactions-crash-soak.js
 *
 * A librdkafka transactional producer runs TXS_TRANSACTIONS transactions (default 3,000)
 * of 20 records over two partitions, committing two of every three and aborting the
 * third (after flushing, so aborted records reach the log), re-initialising when an
 * error is fatal. Meanwhile the broker is killed -9 and restarted TXS_KILLS times
 * (default 5, every 1.5-3 s). Afterwards both partitions are read read_committed and
 * read_uncommitted. Pass: no record of an aborted (or failed) transaction is visible
 * read_committed, every committed transaction is visible exactly once and whole.
 * `failed` counts transactions the client saw fail: a delivery timed out across a
 * restart, or — when a restart takes longer than the 10 s transaction.timeout.ms — the
 * coordinator aborted the open transaction at its timeout and fenced the producer
 * (a fatal _FENCED in librdkafka, which the script answers with a new producer).
 * Exit code 0 on pass, 1 otherwise; one JSON line of figures on stdout. TXS_BROKER_LOG
 * names a file that gets the broker's output.
 */
const TRANSACTIONS = envInt('TXS_TRANSACTIONS', 3000);
const KILLS = envInt('TXS_KILLS', 5);

const PRODUCER = `
import sys, json, time
from confluent_kafka import Producer, KafkaException
bs, topic, tid, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
committed, aborted, failed = [], [], []
def mk():
    p = Producer({'bootstrap.servers': bs, 'transactional.id': tid, 'linger.ms': 2, 'transaction.timeout.ms': 10000,
                  'message.timeout.ms': 9000, 'reconnect.backoff.ms': 100, 'reconnect.backoff.max.ms': 500})
    while True:
        try:
            p.init_transactions(20)
            return p
        except KafkaException:
            time.sleep(0.5)
p = mk()
deadline = time.time() + 300
i = 0
while i < n and time.time() < deadline:
    commit = (i % 3) != 0
    try:
        p.begin_transaction()
        for k in range(20):
            p.produce(topic, value=('t%d-%s-%d' % (i, 'C' if commit else 'A', k)).encode(), partition=i % 2)
        if commit:
            p.commit_transaction(15)
            committed.append(i)
        else:
            p.flush(15)
            p.abort_transaction(15)
            aborted.append(i)
    except KafkaException as e:
        err = e.args[0]
        failed.append([i, str(err)])
        try:
            if err.txn_requires_abort():
                p.abort_transaction(15)
            elif not err.retriable():
                p = mk()
        except KafkaException:
            p = mk()
    i += 1
    print('progress %d' % i, flush=True)
print('DONE ' + json.dumps({'committed': committed, 'failed': failed[:10], 'nfailed': len(failed)}), flush=True)
`;

const READER = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
bs, topic = sys.argv[1], sys.argv[2]
out = {}
for iso in ('read_committed', 'read_uncommitted'):
    c = Consumer({'bootstrap.servers': bs, 'group.id': 'r-' + iso, 'isolation.level': iso, 'enable.auto.commit': False})
    c.assign([TopicPartition(topic, 0, 0), TopicPartition(topic, 1, 0)])
    vals, idle = [], 0
    while idle < 8:
        m = c.poll(0.5)
        if m is None:
            idle += 1
            continue
        if not m.error():
            vals.append(m.value().decode())
    c.close()
    out[iso] = vals
print(json.dumps(out))
`;

const CREATE_TOPIC = `
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
a.create_topics([NewTopic(sys.argv[2], 2, 1)])[sys.argv[2]].result(30)
`;

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

async function main(): Promise<number> {
  const broker = await startBroker({
    repoRoot: findRepoRoot(__dirname),
    env: { MILLRACE_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS: '500' },
    startTimeoutMs: 60_000,
    logFile: process.env.TXS_BROKER_LOG,
  });
  try {
    const topic = `txn-soak-${Date.now().toString(36)}`;
    const created = await runPython(CREATE_TOPIC, [broker.bootstrap, topic], { timeoutMs: 60_000 });
    if (created.code !== 0) throw new Error(`create topic: ${created.stderr}`);
    const child = spawn(SYSTEM_PYTHON, ['-c', PRODUCER, broker.bootstrap, topic, 'soak-tid', String(TRANSACTIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1500));
      process.stderr.write(`kill -9 #${k + 1} at ${lastLine(out).slice(0, 40)}\n`);
      await broker.kill();
      await broker.restart();
    }
    await exited;
    const done = JSON.parse(lastLine(out).slice('DONE '.length)) as { committed: number[]; failed: unknown[]; nfailed: number };
    // Transactions left open by the last crash abort at their 10 s timeout.
    await new Promise((r) => setTimeout(r, 12_000));
    const read = await runPython(READER, [broker.bootstrap, topic], { timeoutMs: 120_000 });
    const { read_committed: rc, read_uncommitted: ru } = JSON.parse(lastLine(read.stdout.toString())) as Record<string, string[]>;
    const counts = new Map<string, number>();
    for (const v of rc) counts.set(v, (counts.get(v) ?? 0) + 1);
    const committed = new Set(done.committed.map((i) => `t${i}`));
    const notCommittedSeen = rc.filter((v) => !committed.has(v.split('-')[0]));
    const duplicates = [...counts].filter(([, n]) => n > 1).length;
    let missing = 0;
    for (const i of done.committed) for (let k = 0; k < 20; k++) if (!counts.has(`t${i}-C-${k}`)) missing++;
    const figures = { kills: KILLS, committed: done.committed.length, failed: done.nfailed, failedSample: done.failed, readCommitted: rc.length, readUncommitted: ru.length, notCommittedSeen: notCommittedSeen.length, duplicates, missing };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return notCommittedSeen.length === 0 && duplicates === 0 && missing === 0 ? 0 : 1;
  } finally {
    await broker.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`transactions-crash-soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
