import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBroker, type BrokerProcess } from '@millrace/testing';

/** Where each file's broker output is mirrored, for diagnosis after a failure. */
export const IT_LOG_DIR = path.join(os.tmpdir(), 'millrace-broker-it-logs');

/**
 * Starts a broker for one test file with test-friendly defaults (no initial rebalance
 * delay) on top of which `env` applies. Output is mirrored to IT_LOG_DIR/<name>.log.
 */
export async function startTestBroker(name: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  fs.mkdirSync(IT_LOG_DIR, { recursive: true });
  const logFile = path.join(IT_LOG_DIR, `${name}.log`);
  fs.rmSync(logFile, { force: true });
  return startBroker({
    env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', ...env },
    logFile,
    startTimeoutMs: 60_000,
  });
}

/** VmRSS of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}
