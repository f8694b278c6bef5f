import { startBroker, type BrokerProcess } from '@millrace/testing';
import { RegistryHttp } from './registry-http';

/**
 * Schema registry throughput: registrations/s and look-ups/s over HTTP.
 *
 * Run after `npm run build`:
 *   node -r ./scripts/register-paths.js dist/apps/broker/test-registry/registry-bench.js [registryUrl]
 * Without a URL it starts a broker with startBroker() (temporary data dir) and stops it at
 * the end. Environment: BENCH_SCHEMAS (default 2000), BENCH_LOOKUPS (default 20000),
 * BENCH_CONCURRENCY (default 16). Prints one JSON line per measurement.
 *
 * Registrations are new schemas (each a new id and version, spread over 20 subjects; every
 * schema is BACKWARD-compatible with the others, all fields defaulted). Look-ups are
 * `POST /subjects/{s}` (schema -> version/id, parses the schema) and `GET /schemas/ids/{id}`
 * (the decoder's hot path).
 */
const SCHEMAS = Number(process.env.BENCH_SCHEMAS ?? 2000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SUBJECTS = 20;

function schema(i: number): string {
  return JSON.stringify({
    type: 'record',
    name: 'BenchRecord',
    namespace: 'com.example.bench',
    fields: [
      { name: 'id', type: 'long', default: 0 },
      { name: `f${i}`, type: ['null', 'string'], default: null },
    ],
  });
}

/** Runs `count` tasks with `concurrency` in flight; returns operations per second. */
async function measure(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ ops: number; seconds: number; perSecond: number }> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ops: count, seconds: Number(seconds.toFixed(3)), perSecond: Math.round(count / seconds) };
}

function expectStatus(status: number, what: string): void {
  if (status !== 200) throw new Error(`${what} answered ${status}`);
}

async function main(): Promise<void> {
  let broker: BrokerProcess | undefined;
  let url = process.argv[2];
  if (!url) {
    broker = await startBroker();
    url = `http://${broker.host}:${broker.httpPort}`;
  }
  const sr = new RegistryHttp(url);
  try {
    expectStatus((await sr.get('/subjects')).status, 'GET /subjects');
    const ids: number[] = new Array<number>(SCHEMAS);
    const print = (name: string, concurrency: number, r: { ops: number; seconds: number; perSecond: number }) =>
      process.stdout.write(JSON.stringify({ benchmark: name, concurrency, ...r }) + '\n');

    const warm = Math.min(100, SCHEMAS);
    print('register (sequential)', 1, await measure(warm, 1, async (i) => void (ids[i] = await sr.register(`bench-${i % SUBJECTS}`, schema(i)))));
    print('register', CONCURRENCY, await measure(SCHEMAS - warm, CONCURRENCY, async (k) => void (ids[warm + k] = await sr.register(`bench-${(warm + k) % SUBJECTS}`, schema(warm + k)))));
    print('register existing (same subject)', CONCURRENCY, await measure(SCHEMAS, CONCURRENCY, async (i) => void (await sr.register(`bench-${i % SUBJECTS}`, schema(i)))));
    print('lookup POST /subjects/{s}', CONCURRENCY, await measure(LOOKUPS, CONCURRENCY, async (k) => {
      const i = k % SCHEMAS;
      expectStatus((await sr.post(`/subjects/bench-${i % SUBJECTS}`, { schema: schema(i) })).status, 'lookup');
    }));
    print('lookup GET /schemas/ids/{id}', CONCURRENCY, await measure(LOOKUPS, CONCURRENCY, async (k) => {
      expectStatus((await sr.get(`/schemas/ids/${ids[k % SCHEMAS]}`)).status, 'get by id');
    }));
  } finally {
    await broker?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
