import { runPython } from '@millrace/testing';

/**
 * confluent_kafka (librdkafka 2.0.2) scripts run with /usr/bin/python3. Each prints one
 * JSON document as its last stdout line.
 */

/** Runs `script` with `args` and parses the last stdout line as JSON; throws with stderr otherwise. */
export async function runPythonJson<T>(script: string, args: readonly string[], timeoutMs = 120_000): Promise<T> {
  const r = await runPython(script, args, { timeoutMs });
  const out = r.stdout.toString('utf8').trim().split('\n');
  if (r.code !== 0 || out.length === 0 || out[out.length - 1] === '') {
    throw new Error(`python exited with code ${r.code} (timedOut ${r.timedOut}):\n${r.stderr}\n${r.stdout.toString('utf8').slice(-4000)}`);
  }
  return JSON.parse(out[out.length - 1]) as T;
}

/**
 * argv: bootstrap topic n [idempotent 0|1] [base_ts step_ts flush_every]
 * Produces values "v-<i>" (keys "k-<i>") to partition 0; with base_ts, record i gets
 * timestamp base_ts + i*step_ts and the producer flushes every flush_every records.
 * Prints {"ok": delivered, "errorCount": n, "errors": [...first], "left": unflushed}.
 */
export const PRODUCE_SCRIPT = `
import sys, json
from confluent_kafka import Producer
bs, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
idem = len(sys.argv) > 4 and sys.argv[4] == '1'
base = int(sys.argv[5]) if len(sys.argv) > 5 else None
step = int(sys.argv[6]) if len(sys.argv) > 6 else 0
flush_every = int(sys.argv[7]) if len(sys.argv) > 7 else 0
conf = {'bootstrap.servers': bs, 'linger.ms': 5}
if idem:
    conf['enable.idempotence'] = True
p = Producer(conf)
state = {'ok': 0, 'errors': []}
def cb(err, msg):
    if err is None:
        state['ok'] += 1
    else:
        state['errors'].append(str(err))
for i in range(n):
    kw = {'partition': 0, 'key': ('k-%d' % i).encode(), 'value': ('v-%d' % i).encode(), 'on_delivery': cb}
    if base is not None:
        kw['timestamp'] = base + i * step
    while True:
        try:
            p.produce(topic, **kw)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    if flush_every and (i + 1) % flush_every == 0:
        p.flush(30)
left = p.flush(60)
print(json.dumps({'ok': state['ok'], 'errorCount': len(state['errors']), 'errors': state['errors'][:10], 'left': left}))
`;

/**
 * argv: bootstrap topic group n timeout_s
 * Subscribes (auto.offset.reset=earliest, no auto commit) and polls until n records or
 * the timeout. Prints {"records": [[partition, offset, value], ...], "high": hw of p0, "low": ...}.
 */
export const CONSUME_SCRIPT = `
import sys, json, time
from confluent_kafka import Consumer, TopicPartition, KafkaError
bs, topic, group, n, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.subscribe([topic])
out, errors = [], []
deadline = time.time() + timeout
while len(out) < n and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        if m.error().code() != KafkaError._PARTITION_EOF:
            errors.append(str(m.error()))
        continue
    out.append([m.partition(), m.offset(), None if m.value() is None else m.value().decode()])
low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
c.close()
print(json.dumps({'records': out, 'low': low, 'high': high, 'errors': errors[:10]}))
`;

export interface ProduceResult {
  ok: number;
  errorCount: number;
  errors: string[];
  left: number;
}

export interface ConsumeResult {
  records: Array<[number, number, string | null]>;
  low: number;
  high: number;
  errors: string[];
}
