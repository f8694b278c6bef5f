import type { ConnectorType } from '@millrace/connect-sdk';
import type { ConnectorState, StatusEntry } from '../storage/status-store';

/** Kafka Connect's ConnectorInfo: `GET /connectors/{c}`, 201 of `POST /connectors`. */
export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: { connector: string; task: number }[];
  type: ConnectorType | 'unknown';
}

/** One entry of `GET /connectors/{c}/tasks`. */
export interface TaskInfo {
  id: { connector: string; task: number };
  config: Record<string, string>;
}

/** Kafka Connect's state of a connector or task; `trace` only when FAILED. */
export interface StateView {
  state: ConnectorState;
  worker_id: string;
  trace?: string;
}

export interface TaskStateView extends StateView {
  id: number;
}

/** Kafka Connect's ConnectorStateInfo: `GET /connectors/{c}/status`. */
export interface ConnectorStatusView {
  name: string;
  connector: StateView;
  tasks: TaskStateView[];
  type: ConnectorType | 'unknown';
}

export function stateView(entry: StatusEntry | undefined, workerId: string): StateView {
  if (!entry) return { state: 'UNASSIGNED', worker_id: workerId };
  return entry.trace ? { state: entry.state, worker_id: entry.worker_id, trace: entry.trace } : { state: entry.state, worker_id: entry.worker_id };
}
