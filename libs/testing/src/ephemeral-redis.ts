import * as net from 'node:net';
import { getFreePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { retryUntil } from './retry';
import { REDIS_SERVER } from './system-binary';
import { makeTempDir } from './temp-dir';

export interface RedisOptions {
  /** Extra redis-server arguments (e.g. ["--maxmemory", "64mb"]), appended last. */
  readonly extraArgs?: readonly string[];
  /** Keep the temporary working directory after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** How long to wait for PONG (default 15 s). */
  readonly startTimeoutMs?: number;
}

/**
 * A private Redis server.
 *
 * Contracts: listens on 127.0.0.1:`port` only, no password, no persistence (no RDB
 * snapshots, no AOF) and its working directory in a temporary directory. `stop()` sends
 * SIGTERM, waits for exit and removes the directory; `kill()` SIGKILLs it, waits for exit
 * and leaves the directory for a later `stop()` or process exit to remove. Both are
 * idempotent.
 */
export interface EphemeralRedis {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  readonly dataDir: string;
  readonly pid: number | undefined;
  logs(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts redis-server on a free port. */
export async function startRedis(opts: RedisOptions = {}): Promise<EphemeralRedis> {
  const host = '127.0.0.1';
  const tmp = makeTempDir('millrace-redis-', { keep: opts.keepDataDir });
  let server: ManagedProcess | undefined;
  try {
    const port = await getFreePort(host);
    const args = [
      '--port', String(port),
      '--bind', host,
      '--save', '',
      '--appendonly', 'no',
      '--dir', tmp.path,
      '--daemonize', 'no',
      ...(opts.extraArgs ?? []),
    ];
    server = new ManagedProcess({ name: 'redis-server', command: REDIS_SERVER, args, cwd: tmp.path });
    const proc = server;
    await retryUntil(
      `redis-server on ${host}:${port}`,
      () => redisPing(host, port),
      { timeoutMs: opts.startTimeoutMs ?? 15_000, intervalMs: 50, abort: () => proc.exitError() },
    );
    return {
      host,
      port,
      url: `redis://${host}:${port}`,
      dataDir: tmp.path,
      get pid() {
        return proc.pid;
      },
      logs: () => proc.logs.text(),
      async stop() {
        await proc.stop('SIGTERM');
        tmp.remove();
      },
      async kill() {
        await proc.kill();
      },
    };
  } catch (err) {
    await server?.kill();
    tmp.remove();
    throw err;
  }
}

/**
 * Sends one inline PING over a raw socket and resolves on "+PONG" (rejects on anything
 * else, e.g. "-LOADING"). A raw socket rather than ioredis: a failed ioredis connection
 * leaves a 2 s disconnect timer behind, which keeps jest workers from exiting.
 */
function redisPing(host: string, port: number, timeoutMs = 1000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const finish = (err?: Error): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => finish(new Error('PING timed out')));
    socket.once('error', finish);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (!reply.includes('\r\n')) return;
      const line = reply.slice(0, reply.indexOf('\r\n'));
      finish(line === '+PONG' ? undefined : new Error(`PING answered ${line}`));
    });
    socket.once('end', () => finish(new Error('connection closed before PONG')));
  });
}
