import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { getFreePort } from './free-port';
import { launchEphemeralServer, type EphemeralServerControls } from './ephemeral-server';
import { MOSQUITTO } from './system-binary';

export interface MosquittoOptions {
  /** Extra lines appended to mosquitto.conf (e.g. "max_queued_messages 100000"). */
  readonly extraConfig?: readonly string[];
  /** Keep the temporary directory after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** How long to wait for the listener (default 15 s). */
  readonly startTimeoutMs?: number;
}

/**
 * A private Mosquitto (Debian's `mosquitto` 2.x, MQTT 3.1, 3.1.1 and 5).
 *
 * Contracts: one listener on 127.0.0.1:`port`, anonymous clients allowed, **persistence
 * on** in the temporary directory (sessions and queued QoS 1/2 messages saved every
 * second, as a production broker would run), unlimited queued messages
 * per offline session, 1,000 in-flight messages per client (Mosquitto's default of 20
 * would throttle a client that acknowledges after a commit). `stop()` sends SIGTERM.
 */
export interface EphemeralMosquitto extends EphemeralServerControls {
  readonly host: string;
  readonly port: number;
  /** mqtt://127.0.0.1:port */
  readonly url: string;
  readonly dataDir: string;
}

/** Starts mosquitto on a free port. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<EphemeralMosquitto> {
  const host = '127.0.0.1';
  const port = await getFreePort(host);
  return launchEphemeralServer(
    {
      tempPrefix: 'millrace-mosquitto-',
      keepDataDir: opts.keepDataDir,
      startTimeoutMs: opts.startTimeoutMs ?? 15_000,
      probeIntervalMs: 50,
      stopSignal: 'SIGTERM',
      prepare: async (dir) => {
        const conf = path.join(dir, 'mosquitto.conf');
        fs.writeFileSync(
          conf,
          [
            `listener ${port} ${host}`,
            'allow_anonymous true',
            'persistence true',
            `persistence_location ${dir}/`,
            'autosave_interval 1',
            'max_queued_messages 0',
            'max_inflight_messages 1000',
            'log_dest stdout',
            'log_type error',
            'log_type warning',
            'log_type notice',
            ...(opts.extraConfig ?? []),
            '',
          ].join('\n'),
        );
        return {
          name: 'mosquitto',
          command: MOSQUITTO,
          args: ['-c', conf],
          cwd: dir,
          description: `mosquitto on ${host}:${port}`,
          probe: () => tcpOpen(host, port),
        };
      },
    },
    (dir) => ({ host, port, url: `mqtt://${host}:${port}`, dataDir: dir }),
  );
}

function tcpOpen(host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}
