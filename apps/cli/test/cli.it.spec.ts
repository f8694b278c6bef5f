import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRepoRoot, runCommand, startBroker, startConnect, type BrokerProcess, type ConnectProcess } from '@millrace/testing';

/**
 * The `millrace` CLI (bin/millrace.js, the compiled CLI) as a user runs it, against a
 * broker (with its registry and admin API) and a connect worker started here: each
 * command's output, its `--json` form and its exit code (0 ok, 1 refused, 2 usage,
 * 3 not found, 4 unreachable).
 */
const repoRoot = findRepoRoot(__dirname);
const BIN = path.join(repoRoot, 'bin', 'millrace.js');

describe('millrace CLI', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let dir: string;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } });
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_TEST_PLUGINS: 'true' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-cli-it-'));
  }, 120_000);

  afterAll(async () => {
    await connect?.stop();
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> {
    const r = await runCommand(process.execPath, [BIN, ...args], {
      cwd: repoRoot,
      input,
      timeoutMs: 60_000,
      env: { MILLRACE_BOOTSTRAP: broker.bootstrap, MILLRACE_REGISTRY_URL: `http://${broker.host}:${broker.httpPort}`, MILLRACE_CONNECT_URL: connect.url },
    });
    return { code: r.code, out: r.stdout.toString('utf8'), err: r.stderr };
  }
  const jsonOf = <T>(r: { out: string }): T => JSON.parse(r.out) as T;

  test('cluster status: every component up, as a table and as JSON', async () => {
    const r = await cli(['cluster', 'status']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^kafka\s+UP\s+cluster \S+, controller \d+, 1 broker/m);
    expect(r.out).toMatch(/^broker\s+UP\s+offline partitions 0, corrupt ranges 0$/m);
    expect(r.out).toMatch(/^replicas\s+UP\s+\d+ partitions, 0 under-replicated, 0 offline; 1 of 1 broker\(s\) live$/m);
    expect(r.out).toMatch(/^registry\s+UP/m);
    expect(r.out).toMatch(/^connect\s+UP/m);
    const j = jsonOf<{ kafka: { brokers: Array<{ port: number }> }; connect: { connectors: number } }>(await cli(['cluster', 'status', '--json']));
    expect(j.kafka.brokers[0].port).toBe(broker.kafkaPort);
    expect(j.connect.connectors).toBe(0);
    const down = await cli(['cluster', 'status', '--connect-url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(4);
    expect(down.out).toMatch(/^connect\s+DOWN\s+connect: cannot reach http:\/\/127\.0\.0\.1:1/m);
  });

  test('topics: create, list, describe, alter, delete; errors have their exit codes', async () => {
    expect((await cli(['topic', 'create', 'cli.orders', '-p', '3', '-c', 'retention.ms=3600000'])).code).toBe(0);
    const list = await cli(['topic', 'list']);
    expect(list.out).toMatch(/^cli\.orders\s+3$/m);
    expect(list.out).not.toMatch(/__consumer_offsets/);
    expect(jsonOf<Array<{ name: string; partitions: number }>>(await cli(['topic', 'list', '--json', '--all'])).map((t) => t.name)).toEqual(expect.arrayContaining(['cli.orders', '__consumer_offsets']));
    expect((await cli(['topic', 'alter', 'cli.orders', '-c', 'cleanup.policy=compact'])).code).toBe(0);
    const d = jsonOf<{ partitions: unknown[]; configs: Record<string, string> }>(await cli(['topic', 'describe', 'cli.orders', '--json']));
    expect(d.partitions).toHaveLength(3);
    // the earlier retention.ms survived the alter of cleanup.policy
    expect(d.configs).toMatchObject({ 'retention.ms': '3600000', 'cleanup.policy': 'compact' });
    expect((await cli(['topic', 'create', 'cli.orders'])).code).toBe(1);
    expect((await cli(['topic', 'describe', 'cli.nope'])).code).toBe(3);
    expect((await cli(['topic', 'create', 'x', '-p', 'zero'])).code).toBe(2);
    expect((await cli(['topic', 'alter', 'cli.orders'])).code).toBe(2);
    expect((await cli(['topic', 'delete', 'cli.orders'])).code).toBe(0);
    expect((await cli(['topic', 'list'])).out).not.toMatch(/cli\.orders/);
  });

  test('produce and consume, Avro decoded through the registry; group describe and reset-offsets', async () => {
    expect((await cli(['topic', 'create', 'cli.events', '-p', '1'])).code).toBe(0);
    const p = await cli(['produce', 'cli.events', '--key-separator', ':'], 'k1:first\nk2:second\nk3:third\n');
    expect(p.code).toBe(0);
    expect(p.out).toBe('produced 3 records to cli.events\n');
    const c = await cli(['consume', 'cli.events', '--from-beginning', '--max-messages', '3', '--print-key', '--group', 'cli-g']);
    expect(c.code).toBe(0);
    expect(c.out).toBe('k1\tfirst\nk2\tsecond\nk3\tthird\n');

    const schema = path.join(dir, 'reading.avsc');
    fs.writeFileSync(schema, JSON.stringify({ type: 'record', name: 'Reading', fields: [{ name: 'machine', type: 'string' }, { name: 'temp', type: 'double' }] }));
    expect((await cli(['produce', 'cli.readings', '--avro-schema', schema], '{"machine":"press-1","temp":21.5}\n')).code).toBe(0);
    const avro = await cli(['consume', 'cli.readings', '--from-beginning', '--max-messages', '1', '--json']);
    expect(JSON.parse(avro.out)).toMatchObject({ partition: 0, offset: 0, value: { machine: 'press-1', temp: 21.5 } });

    const g = jsonOf<{ state: string; partitions: Array<{ topic: string; offset: number; lag: number }> }>(await cli(['group', 'describe', 'cli-g', '--json']));
    expect(g.partitions).toEqual([expect.objectContaining({ topic: 'cli.events', offset: 3, lag: 0 })]);
    expect((await cli(['group', 'list'])).out).toMatch(/^cli-g\s+Empty/m);
    const dry = await cli(['group', 'reset-offsets', 'cli-g', '--topic', 'cli.events', '--to-earliest']);
    expect(dry.out).toMatch(/dry run: nothing changed/);
    expect(jsonOf<{ partitions: Array<{ offset: number }> }>(await cli(['group', 'describe', 'cli-g', '--json'])).partitions[0].offset).toBe(3);
    expect((await cli(['group', 'reset-offsets', 'cli-g', '--topic', 'cli.events', '--to-offset', '1', '--execute'])).code).toBe(0);
    expect(jsonOf<{ partitions: Array<{ offset: number; lag: number }> }>(await cli(['group', 'describe', 'cli-g', '--json'])).partitions[0]).toMatchObject({ offset: 1, lag: 2 });
    expect((await cli(['group', 'reset-offsets', 'cli-g', '--topic', 'cli.events'])).code).toBe(2);
    expect((await cli(['group', 'describe', 'no-such-group'])).code).toBe(3);
  });

  test('connectors: create from a file, status, pause, resume, restart, offsets, delete', async () => {
    const file = path.join(dir, 'fake.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'cli-fake', config: { 'connector.class': 'FakeSource', topic: 'cli.fake', 'tasks.max': '1' } }));
    expect((await cli(['connector', 'create', '-f', file])).code).toBe(0);
    const running = async (): Promise<string> => {
      for (let i = 0; i < 100; i++) {
        const s = jsonOf<{ tasks: Array<{ state: string }> }>(await cli(['connector', 'status', 'cli-fake', '--json']));
        if (s.tasks[0]?.state === 'RUNNING') return 'RUNNING';
        await new Promise((r) => setTimeout(r, 300));
      }
      return 'not running';
    };
    expect(await running()).toBe('RUNNING');
    expect((await cli(['connector', 'list'])).out).toMatch(/^cli-fake\s+source\s+RUNNING\s+1 RUNNING/m);
    expect((await cli(['connector', 'pause', 'cli-fake'])).code).toBe(0);
    const paused = await fetch(`${connect.url}/connectors/cli-fake/status`).then((r) => r.json() as Promise<{ connector: { state: string } }>);
    expect(paused.connector.state).toBe('PAUSED');
    expect((await cli(['connector', 'resume', 'cli-fake'])).code).toBe(0);
    expect((await cli(['connector', 'restart', 'cli-fake'])).code).toBe(0);
    expect(await running()).toBe('RUNNING');
    const offsets = jsonOf<{ offsets: Array<{ partition: Record<string, unknown> }> }>(await cli(['connector', 'offsets', 'cli-fake', '--json']));
    expect(offsets.offsets[0]?.partition).toEqual({ task: 0 });
    expect((await cli(['snapshot', 'status', 'cli-fake'])).out).toMatch(/cli-fake task 0 RUNNING: no snapshot in progress/);
    expect((await cli(['connector', 'create', '-f', file])).code).toBe(1); // exists already
    expect((await cli(['connector', 'status', 'nope'])).code).toBe(3);
    expect((await cli(['connector', 'create'])).code).toBe(2); // -f is required
    expect((await cli(['connector', 'delete', 'cli-fake'])).code).toBe(0);
    expect((await cli(['connector', 'list', '--json'])).out.trim()).toBe('[]');
  });

  test('snapshot status --watch: ends 0 with no snapshot going on, 1 on a FAILED task, 3 on an unknown connector', async () => {
    const file = path.join(dir, 'failing.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'cli-failing', config: { 'connector.class': 'FakeSource', topic: 'cli.failing', 'tasks.max': '1', 'fake.fail.reads': '1' } }));
    expect((await cli(['connector', 'create', '-f', file])).code).toBe(0);
    // started at once: the watch waits for the starting task, which fails its first read
    const failed = await cli(['snapshot', 'status', 'cli-failing', '--watch']);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/snapshot status cli-failing: task 0 is FAILED: .*read failed on purpose/);
    expect((await cli(['connector', 'restart', 'cli-failing'])).code).toBe(0);
    for (let i = 0; i < 100; i++) {
      const s = jsonOf<{ tasks: Array<{ state: string }> }>(await cli(['connector', 'status', 'cli-failing', '--json']));
      if (s.tasks[0]?.state === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const idle = await cli(['snapshot', 'status', 'cli-failing', '--watch']);
    expect(idle).toMatchObject({ code: 0, out: 'cli-failing task 0 RUNNING: no snapshot in progress\n' });
    expect((await cli(['snapshot', 'status', 'nope', '--watch'])).code).toBe(3);
    expect((await cli(['connector', 'delete', 'cli-failing'])).code).toBe(0);
  });

  test('schemas: register, list, get, check (exit 1 when incompatible)', async () => {
    const v1 = path.join(dir, 'v1.avsc');
    const good = path.join(dir, 'v2.avsc');
    const bad = path.join(dir, 'bad.avsc');
    fs.writeFileSync(v1, JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] }));
    fs.writeFileSync(good, JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: 'string', default: '' }] }));
    fs.writeFileSync(bad, JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] }));
    const reg = await cli(['schema', 'register', 'orders-value', '-f', v1, '--json']);
    expect(reg.code).toBe(0);
    expect(jsonOf<{ id: number }>(reg).id).toBeGreaterThan(0);
    expect((await cli(['schema', 'list'])).out).toMatch(/^orders-value\s+1$/m);
    expect((await cli(['schema', 'get', 'orders-value'])).out).toMatch(/subject orders-value version 1 id \d+/);
    const ok = await cli(['schema', 'check', 'orders-value', '-f', good]);
    expect(ok).toMatchObject({ code: 0, out: 'compatible with the latest version of orders-value\n' });
    const no = await cli(['schema', 'check', 'orders-value', '-f', bad]);
    expect(no.code).toBe(1);
    expect(no.out).toMatch(/NOT compatible[\s\S]*- /);
    expect((await cli(['schema', 'get', 'missing-value'])).code).toBe(3);
  });
});
