import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getFreePorts, runCommand } from '@millrace/testing';

/**
 * The NATS JetStream peer of the cluster bench: three local `nats-server`s clustered with
 * JetStream (file storage under a temporary directory), and `natsbench` (bench/nats/
 * natsbench.go, built here with Debian's Go and golang-github-nats-io-go-nats-dev).
 * `NatsCluster.start()` answers why the peer cannot run instead of throwing when a part is
 * missing, so the bench reports "NATS side not run: …" and goes on.
 */
const NATS_SERVER_CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];
const GOPATH = '/usr/share/gocode';

export interface NatsPhaseResult {
  ok: boolean;
  phase: string;
  error?: string;
  records: number;
  bytes: number;
  seconds: number;
  rounds: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export class NatsCluster {
  private constructor(
    private readonly dir: string,
    private readonly servers: ChildProcess[],
    readonly urls: string,
    private readonly bin: string,
  ) {}

  static async start(repoRoot: string): Promise<NatsCluster | string> {
    const server = NATS_SERVER_CANDIDATES.find((p) => fs.existsSync(p));
    if (!server) return 'nats-server not found (Debian package nats-server)';
    if (!fs.existsSync(path.join(GOPATH, 'src/github.com/nats-io/nats.go'))) return 'the Go NATS client is missing (apt-get install golang-go golang-github-nats-io-go-nats-dev)';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-nats-bench-'));
    const bin = path.join(dir, 'natsbench');
    const build = await runCommand('go', ['build', '-o', bin, path.join(repoRoot, 'bench', 'nats', 'natsbench.go')], {
      timeoutMs: 300_000,
      env: { GO111MODULE: 'off', GOPATH, GOCACHE: path.join(dir, 'gocache'), HOME: dir },
    }).catch((err: Error) => ({ code: -1, stderr: err.message }));
    if (build.code !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return `natsbench did not build: ${String(build.stderr).slice(-500)}`;
    }
    const ports = await getFreePorts(6);
    const routes = [0, 1, 2].map((i) => `nats://127.0.0.1:${ports[3 + i]}`).join(', ');
    const servers = [0, 1, 2].map((i) => {
      const conf = path.join(dir, `n${i}.conf`);
      fs.mkdirSync(path.join(dir, `store${i}`));
      fs.writeFileSync(conf, `listen: 127.0.0.1:${ports[i]}\nserver_name: n${i}\njetstream { store_dir: "${path.join(dir, `store${i}`)}" }\ncluster { name: bench, listen: 127.0.0.1:${ports[3 + i]}, routes: [${routes}] }\n`);
      return spawn(server, ['-c', conf], { stdio: 'ignore' });
    });
    const urls = [0, 1, 2].map((i) => `nats://127.0.0.1:${ports[i]}`).join(',');
    return new NatsCluster(dir, servers, urls, bin);
  }

  /** One natsbench phase (see natsbench.go); retried for 30 s while JetStream elects its leaders. */
  async phase(phase: 'produce' | 'consume' | 'latency', args: Record<string, string | number>, timeoutMs: number): Promise<NatsPhaseResult> {
    const argv = [phase, '-servers', this.urls, ...Object.entries(args).flatMap(([k, v]) => [`-${k}`, String(v)])];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await runCommand(this.bin, argv, { timeoutMs });
      const last = r.stdout.toString('utf8').trim().split('\n').pop() ?? '';
      let parsed: NatsPhaseResult;
      try {
        parsed = JSON.parse(last) as NatsPhaseResult;
      } catch {
        parsed = { ok: false, phase, error: `no result (exit ${r.code}): ${r.stderr.slice(-300)}`, records: 0, bytes: 0, seconds: 0, rounds: 0 };
      }
      if (parsed.ok || Date.now() > deadline || !/stream|leader|no responders|timeout/i.test(parsed.error ?? '')) return parsed;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.exitCode !== null) return resolve();
            s.once('exit', () => resolve());
            s.kill('SIGTERM');
          }),
      ),
    );
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
