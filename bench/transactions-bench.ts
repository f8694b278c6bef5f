import { findRepoRoot, runPython, startBroker } from '@millrace/testing';
import { envInt } from './env-int';

/**
 * Transactional produce benchmark (run by `npm run bench` after its other cases unless
 * --skip-transactions; also alone):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/transactions-bench.js
 *
 * Starts a broker and, in the same run, produces TXB_RECORDS records (default 200,000)
 * of TXB_SIZE bytes (default 1 KiB, null key) to a fresh one-partition topic with
 * librdkafka 2.0.2 (python confluent_kafka; linger.ms 5, acks=all) in three modes:
 *   - idempotent: enable.idempotence, no transactions (the reference row);
 *   - idempotent-flush: the same, flushing every 1,000 records (the commit cadence
 *     without the transaction, to tell the cost of waiting from the cost of EndTxn);
 *   - txn/100ms:  a transactional producer committing every 100 ms;
 *   - txn/1000:   a transactional producer committing every 1,000 records.
 * Throughput is first produce() to the end of the final flush / commit. Each row gives
 * records/s, MB/s (10^6 bytes of values), the number of commits and the median time of
 * one commit_transaction() (it flushes the open batches, then EndTxn), and its ratio to
 * the idempotent row. A warm-up of 20,000 records per mode runs first (not reported); then
 * the modes run one after the other; TXB_ROUNDS (default 1) repeats them.
 */
const RECORDS = envInt('TXB_RECORDS', 200_000);
const SIZE = envInt('TXB_SIZE', 1024);
const ROUNDS = envInt('TXB_ROUNDS', 1);
const WARMUP = 20_000;

const SCRIPT = `
import sys, json, time
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
bs, topic, mode, n, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
admin = AdminClient({'bootstrap.servers': bs})
admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
conf = {'bootstrap.servers': bs, 'linger.ms': 5, 'enable.idempotence': True, 'acks': 'all'}
txn = mode.startswith('txn')
if txn:
    conf['transactional.id'] = 'bench-' + topic
p = Producer(conf)
errors = []
def cb(err, msg):
    if err is not None and len(errors) < 10:
        errors.append(str(err))
value = b'x' * size
if txn:
    p.init_transactions(30)
    p.begin_transaction()
commits = 0
commit_seconds = []
since = 0
start = time.monotonic()
last_commit = start
for i in range(n):
    while True:
        try:
            p.produce(topic, value=value, on_delivery=cb)
            break
        except BufferError:
            p.poll(0.005)
    since += 1
    if mode == 'idempotent-flush' and since >= 1000:
        p.flush(60)
        since = 0
    elif mode == 'txn-records' and since >= 1000:
        t0 = time.monotonic()
        p.commit_transaction(60)
        commit_seconds.append(time.monotonic() - t0)
        commits += 1
        since = 0
        p.begin_transaction()
    elif mode == 'txn-time' and since % 50 == 0:
        now = time.monotonic()
        if now - last_commit >= 0.1:
            p.commit_transaction(60)
            commit_seconds.append(time.monotonic() - now)
            commits += 1
            since = 0
            last_commit = now
            p.begin_transaction()
if txn:
    p.commit_transaction(60)
    commits += 1
else:
    p.flush(120)
seconds = time.monotonic() - start
commit_seconds.sort()
p50 = commit_seconds[len(commit_seconds) // 2] * 1000 if commit_seconds else 0
print(json.dumps({'records': n, 'seconds': seconds, 'commits': commits, 'commitP50Ms': p50, 'errors': errors}))
`;

interface ModeResult {
  records: number;
  seconds: number;
  commits: number;
  /** Median duration of commit_transaction() (flush of the open batch, EndTxn), ms. */
  commitP50Ms: number;
  errors: string[];
}

const MODES = [
  { mode: 'idempotent', label: 'idempotent (reference)' },
  { mode: 'idempotent-flush', label: 'idempotent, flush every 1,000 records' },
  { mode: 'txn-time', label: 'transactional, commit every 100 ms' },
  { mode: 'txn-records', label: 'transactional, commit every 1,000 records' },
] as const;

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  process.stderr.write('starting broker ...\n');
  const broker = await startBroker({ repoRoot, startTimeoutMs: 60_000 });
  const rows: { label: string; round: number; r: ModeResult }[] = [];
  let failed = false;
  try {
    // Warm-up (not reported): the broker's JIT and page cache would otherwise favour whichever mode runs last.
    for (const m of MODES) {
      const warm = await runPython(SCRIPT, [broker.bootstrap, `txb-warm-${Date.now().toString(36)}-${m.mode}`, m.mode, String(WARMUP), String(SIZE)], { timeoutMs: 300_000 });
      if (warm.code !== 0) throw new Error(`warm-up ${m.mode} failed: ${warm.stderr}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const m of MODES) {
        const topic = `txb-${Date.now().toString(36)}-${m.mode}-${round}`;
        process.stderr.write(`[${m.label}] ${RECORDS} x ${SIZE} B ...\n`);
        const run = await runPython(SCRIPT, [broker.bootstrap, topic, m.mode, String(RECORDS), String(SIZE)], { timeoutMs: 600_000 });
        const lines = run.stdout.toString('utf8').trim().split('\n');
        if (run.code !== 0) {
          process.stderr.write(`${m.mode} failed (code ${run.code}):\n${run.stderr}\n`);
          failed = true;
          continue;
        }
        const r = JSON.parse(lines[lines.length - 1]) as ModeResult;
        if (r.errors.length > 0) {
          process.stderr.write(`${m.mode}: delivery errors: ${r.errors.join('; ')}\n`);
          failed = true;
        }
        rows.push({ label: m.label, round, r });
      }
    }
  } finally {
    await broker.stop();
  }
  process.stdout.write(`\n| producer (${SIZE} B records, librdkafka 2.0.2, acks=all, 1 partition) | rec/s | MB/s | commits | commit p50 ms | vs idempotent |\n| --- | ---: | ---: | ---: | ---: | ---: |\n`);
  for (const { label, round, r } of rows) {
    // Each round is compared with its own idempotent run (the machine's load drifts between rounds).
    const reference = rows.find((x) => x.round === round && x.label.startsWith('idempotent'));
    const refRate = reference ? reference.r.records / reference.r.seconds : null;
    const rate = r.records / r.seconds;
    const ratio = refRate === null ? '' : `${(rate / refRate).toFixed(2)}x`;
    process.stdout.write(`| ${label} | ${Math.round(rate).toLocaleString('en-US')} | ${((rate * SIZE) / 1e6).toFixed(1)} | ${r.commits} | ${r.commits > 0 ? r.commitP50Ms.toFixed(1) : ''} | ${ratio} |\n`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`transactions-bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
