import * as net from 'node:net';
import { getFreePort } from './free-port';
import { launchEphemeralServer, type EphemeralServerControls } from './ephemeral-server';
import { REDIS_SERVER } from './system-binary';

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
 * SIGTERM (see EphemeralServerControls for stop/kill).
 */
export interface EphemeralRedis extends EphemeralServerControls {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  readonly dataDir: string;
}

/** Starts redis-server on a free port. */
export async function startRedis(opts: RedisOptions = {}): Promise<EphemeralRedis> {
  const host = '127.0.0.1';
  const port = await getFreePort(host);
  return launchEphemeralServer(
    {
      tempPrefix: 'millrace-redis-',
      keepDataDir: opts.keepDataDir,
      startTimeoutMs: opts.startTimeoutMs ?? 15_000,
      probeIntervalMs: 50,
      stopSignal: 'SIGTERM',
      prepare: async (dir) => ({
        name: 'redis-server',
        command: REDIS_SERVER,
        args: [
          '--port', String(port),
          '--bind', host,
          '--save', '',
          '--appendonly', 'no',
          '--dir', dir,
          '--daemonize', 'no',
          ...(opts.extraArgs ?? []),
        ],
        cwd: dir,
        description: `redis-server on ${host}:${port}`,
        probe: () => redisPing(host, port),
      }),
    },
    (dir) => ({ host, port, url: `redis://${host}:${port}`, dataDir: dir }),
  );
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
