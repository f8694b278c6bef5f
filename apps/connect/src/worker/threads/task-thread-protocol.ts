import type { SourceOffset, SourceOffsetEntry, SourcePartition } from '../../storage/offset-store';
import type { ConnectorState } from '../../storage/status-store';
import type { ExactlyOnceSource } from '../task-assembly';

/**
 * The messages between the worker (main thread, ThreadedTaskRunner) and one task thread
 * (task-thread.ts). Everything is structured-cloned by postMessage, so only plain data:
 * records never cross (the task reads, converts and writes them inside its thread); what
 * crosses is per batch at most (offsets to store, metrics) or rarer (states, log lines).
 *
 * Requests carry a `seq` unique per sender; the receiver answers each with one `reply`
 * of the same `seq`.
 */

/** What the thread is given first (the `init` message). Configs are already resolved (secrets included: they stay in memory). */
export interface TaskThreadData {
  readonly connector: string;
  readonly id: number;
  readonly pluginClass: string;
  readonly connectorConfig: Readonly<Record<string, string>>;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly bootstrap: readonly string[];
  readonly registryUrl: string;
  readonly pluginModules: readonly string[];
  /** The connector's stored source offsets when the task starts; the thread adds its own writes. */
  readonly offsets: readonly { partition: SourcePartition; offset: SourceOffset }[];
  /** Exactly-once source settings of the worker (TaskAssemblyDeps.exactlyOnce / exactlyOnceSetting). */
  readonly exactlyOnce: ExactlyOnceSource | null;
  readonly exactlyOnceSetting: string;
  /** The pino level of the task's logger in the worker. */
  readonly logLevel: string;
}

export type MainRequest = { readonly op: 'start'; readonly paused: boolean } | { readonly op: 'pause' } | { readonly op: 'resume' } | { readonly op: 'stop' };

export type ThreadRequest =
  | { readonly op: 'owns' }
  | { readonly op: 'writeOffsets'; readonly entries: readonly SourceOffsetEntry[] }
  /** connect-offsets read to its end; answered with the connector's offsets. */
  | { readonly op: 'readOffsets' };

export type MetricName = 'sourceBatch' | 'sinkBatch' | 'recordsFailed' | 'offsetCommit' | 'deadLetterRecord' | 'snapshotProgress' | 'replicationSlot';

export type ToThread = { readonly t: 'init'; readonly data: TaskThreadData } | { readonly t: 'request'; readonly seq: number; readonly request: MainRequest } | Reply;

export type FromThread =
  | { readonly t: 'request'; readonly seq: number; readonly request: ThreadRequest }
  | Reply
  /** One pino JSON line of the task's logger (the worker logs it through its own, scrubbed, logger). */
  | { readonly t: 'log'; readonly line: string }
  /**
   * A state change. `trace`: the failure's trace (status-store traceOf) when `error` is an
   * Error, the status note when it is text, null when none.
   */
  | { readonly t: 'state'; readonly state: ConnectorState; readonly trace: string | null; readonly traceIsError: boolean }
  | { readonly t: 'metric'; readonly name: MetricName; readonly arg: unknown };

export interface Reply {
  readonly t: 'reply';
  readonly seq: number;
  readonly ok: boolean;
  readonly value?: unknown;
  /** The failure's message when !ok. */
  readonly error?: string;
}
