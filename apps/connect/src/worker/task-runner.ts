import type { ConnectorState } from '../storage/status-store';

/** Receives a task's state changes (the worker writes them to the status store). */
export type TaskStateListener = (state: ConnectorState, error?: unknown) => void;

/**
 * One running task of a connector, owned by the worker.
 *
 * Contracts: `start` opens the task and resolves once it runs (or reported FAILED);
 * the task reports RUNNING/PAUSED/FAILED through its listener; `pause`/`resume` take
 * effect before the next batch; `stop` is idempotent, ends the loop (waiting for the
 * batch in flight), flushes, tears the task down and disconnects its Kafka clients,
 * and never throws.
 */
export interface TaskRunner {
  readonly connector: string;
  readonly id: number;
  start(paused: boolean): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}
