import { getFreePorts } from './free-port';
import { launchEphemeralServer, type EphemeralServerControls } from './ephemeral-server';
import { httpGetStatus } from './http-probe';
import { ETCD } from './system-binary';

export interface EtcdOptions {
  /** Keep the temporary data directory after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** How long to wait for /health (default 20 s). */
  readonly startTimeoutMs?: number;
}

/**
 * A private single-member etcd (Debian's etcd-server, v3 API) for cluster-metadata tests.
 *
 * Contracts: client and peer URLs on 127.0.0.1 free ports, no auth, TLS off, data in a
 * temporary directory. `stop()` sends SIGTERM (see EphemeralServerControls for stop/kill);
 * a SIGKILLed etcd keeps its data directory, so a restarted one would see the same keys
 * (tests start a fresh one instead).
 */
export interface EphemeralEtcd extends EphemeralServerControls {
  readonly host: string;
  readonly port: number;
  /** http://127.0.0.1:port — the value for MILLRACE_ETCD_ENDPOINTS. */
  readonly endpoint: string;
  readonly dataDir: string;
}

/** Starts etcd on free ports. */
export async function startEtcd(opts: EtcdOptions = {}): Promise<EphemeralEtcd> {
  const host = '127.0.0.1';
  const [port, peerPort] = await getFreePorts(2, host);
  const client = `http://${host}:${port}`;
  const peer = `http://${host}:${peerPort}`;
  return launchEphemeralServer(
    {
      tempPrefix: 'millrace-etcd-',
      keepDataDir: opts.keepDataDir,
      startTimeoutMs: opts.startTimeoutMs ?? 20_000,
      probeIntervalMs: 100,
      stopSignal: 'SIGTERM',
      prepare: async (dir) => ({
        name: 'etcd',
        command: ETCD,
        args: [
          '--name', 'millrace-test',
          '--data-dir', `${dir}/data`,
          '--listen-client-urls', client,
          '--advertise-client-urls', client,
          '--listen-peer-urls', peer,
          '--initial-advertise-peer-urls', peer,
          '--initial-cluster', `millrace-test=${peer}`,
          '--initial-cluster-state', 'new',
          '--log-level', 'warn',
        ],
        cwd: dir,
        description: `etcd on ${client}`,
        probe: async () => {
          const status = await httpGetStatus(`${client}/health`, 1000);
          if (status !== 200) throw new Error(`etcd /health answered ${status}`);
        },
      }),
    },
    (dir) => ({ host, port, endpoint: client, dataDir: dir }),
  );
}
