import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { LibrdkafkaPhases, type LatencyResult } from './librdkafka-phases';

/**
 * The floor under the small-request case, measured in the same run: the same client
 * pacing, record size and count against bench/echo-floor-server.ts, a bare Node TCP
 * server that does only the socket work of a small produce and the fetch it wakes (read
 * the produce, answer it, hand the record to the parked long-poll, read the next poll).
 * Its CPU per record is what Node and the kernel charge for that traffic on this machine
 * at this moment; the broker's CPU per request divided by it is the broker's own cost
 * as a ratio that the machine's speed and load largely cancel out of.
 *
 * Contract: resolves with the client's result (ok false and error set when the phase
 * failed), the server stopped either way; rejects only when the server could not start.
 */
export interface EchoFloorOutcome {
  readonly result: LatencyResult;
  /** Server CPU per record, microseconds (all threads; null: not measured). */
  readonly cpuUsPerRecord: number | null;
}

const START_TIMEOUT_MS = 10_000;

export async function runEchoFloor(
  repoRoot: string,
  p: { count: number; rate: number; size: number; timeoutMs: number },
): Promise<EchoFloorOutcome> {
  const server = spawn(process.execPath, [path.join(repoRoot, 'dist', 'bench', 'echo-floor-server.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await readPort(server.stdout);
    if (server.pid === undefined) throw new Error('echo floor server has no pid');
    const client = new LibrdkafkaPhases(LibrdkafkaPhases.scriptIn(repoRoot), `127.0.0.1:${port}`);
    const result = await client.echoFloor({ ...p, serverPid: server.pid }, p.timeoutMs);
    const all = result.brokerCpu?.all;
    return { result, cpuUsPerRecord: result.ok && all !== undefined && result.sent > 0 ? (all / result.sent) * 1e6 : null };
  } finally {
    server.stdin.end();
    server.kill('SIGTERM');
  }
}

function readPort(stdout: NodeJS.ReadableStream): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: stdout });
    const timer = setTimeout(() => reject(new Error('echo floor server did not report its port')), START_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      const port = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port === 'number') resolve(port);
      else reject(new Error(`echo floor server printed ${line}`));
    });
  });
}
