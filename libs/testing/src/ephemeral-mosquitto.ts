import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { getFreePort } from './free-port';
import { launchEphemeralServer, type EphemeralServerControls } from './ephemeral-server';
import { runChecked } from './run-command';
import { MOSQUITTO, systemBinary } from './system-binary';
import { isRoot, lookupSystemUser } from './system-user';
import { chownRecursive } from './temp-dir';

const MOSQUITTO_PASSWD = systemBinary('/usr/bin/mosquitto_passwd');

/** An extra listener, on its own free port of 127.0.0.1 (websockets: of every interface, see listenerConfig). */
export interface MosquittoListener {
  /** mqtt (default) or websockets. */
  readonly protocol?: 'mqtt' | 'websockets';
  /** TLS with these PEM files; `requireClientCertificate` makes it mutual TLS (clients need a certificate signed by `caFile`). */
  readonly tls?: { readonly caFile: string; readonly certFile: string; readonly keyFile: string; readonly requireClientCertificate?: boolean };
  /** Users allowed on this listener (written with mosquitto_passwd); anonymous clients are then refused here. */
  readonly users?: Readonly<Record<string, string>>;
}

export interface MosquittoOptions {
  /** Extra lines appended to mosquitto.conf (e.g. "max_queued_messages 100000"). */
  readonly extraConfig?: readonly string[];
  /** Keep the temporary directory after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** How long to wait for the listener (default 15 s). */
  readonly startTimeoutMs?: number;
  /** Extra listeners (per_listener_settings on); the first listener stays anonymous MQTT. */
  readonly listeners?: readonly MosquittoListener[];
}

/**
 * A private Mosquitto (Debian's `mosquitto` 2.x, MQTT 3.1, 3.1.1 and 5).
 *
 * Contracts: one listener on 127.0.0.1:`port`, anonymous clients allowed (plus the
 * `listeners` asked for, each with its own settings), **persistence
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
  /** Ports of `MosquittoOptions.listeners`, in their order. */
  readonly listenerPorts: readonly number[];
}

/** Starts mosquitto on a free port. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<EphemeralMosquitto> {
  const host = '127.0.0.1';
  const port = await getFreePort(host);
  const extra = opts.listeners ?? [];
  const listenerPorts: number[] = [];
  for (let i = 0; i < extra.length; i++) listenerPorts.push(await getFreePort(host));
  return launchEphemeralServer(
    {
      tempPrefix: 'millrace-mosquitto-',
      keepDataDir: opts.keepDataDir,
      startTimeoutMs: opts.startTimeoutMs ?? 15_000,
      probeIntervalMs: 50,
      stopSignal: 'SIGTERM',
      prepare: async (dir) => {
        const conf = path.join(dir, 'mosquitto.conf');
        const listenerLines: string[] = [];
        for (let i = 0; i < extra.length; i++) listenerLines.push(...(await listenerConfig(extra[i], host, listenerPorts[i], path.join(dir, `listener-${i}`))));
        fs.writeFileSync(
          conf,
          [
            ...(extra.length > 0 ? ['per_listener_settings true'] : []),
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
            ...listenerLines,
            ...(opts.extraConfig ?? []),
            '',
          ].join('\n'),
        );
        // Started as root, mosquitto runs as its own account (its `user` option): the directory,
        // its database and password files must be that account's, or it cannot save or read them.
        const account = isRoot() ? mosquittoAccount() : undefined;
        if (account) chownRecursive(dir, account.uid, account.gid);
        return {
          name: 'mosquitto',
          command: MOSQUITTO,
          args: ['-c', conf],
          cwd: dir,
          description: `mosquitto on ${host}:${port}`,
          probe: async () => {
            for (const p of [port, ...listenerPorts]) await tcpOpen(host, p);
          },
        };
      },
    },
    (dir) => ({ host, port, url: `mqtt://${host}:${port}`, dataDir: dir, listenerPorts }),
  );
}

/** The account mosquitto changes to when started as root, if it exists (else it stays root). */
function mosquittoAccount(): { uid: number; gid: number } | undefined {
  try {
    return lookupSystemUser('mosquitto');
  } catch {
    return undefined;
  }
}

/** mosquitto.conf lines of one extra listener; writes its password file and copies its TLS files (names from `filePrefix`). */
async function listenerConfig(l: MosquittoListener, host: string, port: number, filePrefix: string): Promise<string[]> {
  // Mosquitto 2.0.11's websockets listener ignores the address and binds every interface.
  const lines = [`listener ${port} ${host}`];
  if (l.protocol === 'websockets') lines.push('protocol websockets');
  if (l.tls) {
    // copied into the server's directory, which it can read whatever account it runs as
    const copy = (file: string, name: string): string => {
      const to = `${filePrefix}-${name}`;
      fs.copyFileSync(file, to);
      return to;
    };
    lines.push(`cafile ${copy(l.tls.caFile, 'ca.pem')}`, `certfile ${copy(l.tls.certFile, 'cert.pem')}`, `keyfile ${copy(l.tls.keyFile, 'key.pem')}`);
    if (l.tls.requireClientCertificate) lines.push('require_certificate true');
  }
  const users = Object.entries(l.users ?? {});
  const passwordFile = `${filePrefix}-passwd`;
  if (users.length === 0) return [...lines, 'allow_anonymous true'];
  for (const [i, [user, password]] of users.entries()) await runChecked(MOSQUITTO_PASSWD, [...(i === 0 ? ['-c'] : []), '-b', passwordFile, user, password]);
  return [...lines, 'allow_anonymous false', `password_file ${passwordFile}`];
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
