import { spawn, type ChildProcess } from 'node:child_process';
import { SYSTEM_PYTHON } from '@millrace/testing';

/**
 * The librdkafka (python3 confluent_kafka) clients of `npm run soak`. Each prints one JSON
 * line per second on stdout; SoakClient keeps the last one.
 *
 * producer argv: bootstrap topic rate seconds   (rate 0 = as fast as it goes)
 *   {"acked": n, "errors": n, "elapsed": s}
 * consumer argv: bootstrap topic group
 *   {"consumed": n, "errors": n}
 */
const PRODUCER = `
import sys, json, time
from confluent_kafka import Producer
bs, topic, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
p = Producer({'bootstrap.servers': bs, 'linger.ms': 5, 'acks': 'all', 'queue.buffering.max.messages': 200000})
st = {'acked': 0, 'errors': 0}
def cb(err, msg):
    if err is None: st['acked'] += 1
    else: st['errors'] += 1
value = b'x' * 1024
start = time.time(); sent = 0; last = start
while True:
    now = time.time()
    if now - start >= seconds: break
    due = int((now - start) * rate) if rate > 0 else sent + 1000
    while sent < due:
        try:
            p.produce(topic, value=value, on_delivery=cb); sent += 1
        except BufferError:
            p.poll(0.01)
    p.poll(0 if rate == 0 else 0.005)
    if now - last >= 1:
        last = now
        print(json.dumps({'acked': st['acked'], 'errors': st['errors'], 'elapsed': now - start}), flush=True)
p.flush(60)
print(json.dumps({'acked': st['acked'], 'errors': st['errors'], 'elapsed': time.time() - start, 'done': True}), flush=True)
`;

const CONSUMER = `
import sys, json, time
from confluent_kafka import Consumer
bs, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': True,
              'auto.commit.interval.ms': 1000})
c.subscribe([topic])
st = {'consumed': 0, 'errors': 0}
last = time.time()
while True:
    msgs = c.consume(1000, 0.2)
    for m in msgs:
        if m.error(): st['errors'] += 1
        else: st['consumed'] += 1
    if time.time() - last >= 1:
        last = time.time()
        print(json.dumps(st), flush=True)
`;

export class SoakClient {
  private readonly proc: ChildProcess;
  private last: Record<string, number> = {};
  private buffered = '';
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(script: string, args: string[]) {
    this.proc = spawn(SYSTEM_PYTHON, ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.buffered += d.toString('utf8');
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('{')) this.last = JSON.parse(l) as Record<string, number>;
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  static producer(bootstrap: string, topic: string, rate: number, seconds: number): SoakClient {
    return new SoakClient(PRODUCER, [bootstrap, topic, String(rate), String(seconds)]);
  }

  static consumer(bootstrap: string, topic: string, group: string): SoakClient {
    return new SoakClient(CONSUMER, [bootstrap, topic, group]);
  }

  /** The last JSON line the client printed. */
  get stats(): Record<string, number> {
    return this.last;
  }

  get errorOutput(): string {
    return this.stderr;
  }

  stop(): void {
    this.proc.kill('SIGKILL');
  }
}
