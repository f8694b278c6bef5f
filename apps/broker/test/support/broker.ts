import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBroker, type BrokerProcess } from '@millrace/testing';
import type { Admin, Kafka } from 'kafkajs';
import { makeKafka } from './kafka';

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

/** What most broker integration files work with. */
export interface TestBrokerEnv {
  readonly broker: BrokerProcess;
  readonly kafka: Kafka;
  /** A connected kafkajs admin client. */
  readonly admin: Admin;
}

/**
 * Registers the file's beforeAll/afterAll: starts a broker with startTestBroker(name, env),
 * a kafkajs client and a connected admin, hands them to `ready`, and disconnects and
 * stops them after the file's tests.
 */
export function useTestBroker(name: string, env: Record<string, string>, ready: (env: TestBrokerEnv) => void): void {
  let started: TestBrokerEnv | undefined;
  beforeAll(async () => {
    const broker = await startTestBroker(name, env);
    const kafka = makeKafka(broker.bootstrap);
    const admin = kafka.admin();
    started = { broker, kafka, admin };
    await admin.connect();
    ready(started);
  });
  afterAll(async () => {
    await started?.admin.disconnect();
    await started?.broker.stop();
  });
}
