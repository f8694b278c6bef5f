import type { Worker } from 'node:worker_threads';
import { errorMessage } from '@millrace/app-common';
import type { Logger } from 'pino';
import type { TaskMetrics } from '../../metrics/task-metrics';
import type { SourceOffset, SourcePartition } from '../../storage/offset-store';
import type { TaskOffsets } from '../task-offsets';
import type { TaskRunner, TaskStateListener } from '../task-runner';
import { MessageRpc } from './message-rpc';
import { takeTaskThread } from './task-thread-pool';
import type { FromThread, MainRequest, MetricName, TaskThreadData, ThreadRequest, ToThread } from './task-thread-protocol';

/**
 * The thread's init data (configs resolved, config providers applied) except what the
 * runner derives at start — the connector's offsets (read from `offsets`) and the log
 * level (the logger's) — plus the main-thread partners the thread talks to.
 */
export interface ThreadedTaskRunnerOptions extends Omit<TaskThreadData, 'offsets' | 'logLevel'> {
  readonly offsets: TaskOffsets & { offsets(connector: string): { partition: SourcePartition; offset: SourceOffset }[] };
  /** Source commits happen only while this holds (asked by the thread before each batch). */
  readonly owns: () => boolean;
  readonly metrics: TaskMetrics;
  readonly onState: TaskStateListener;
  /** The task's logger: the thread's log lines are logged through it (scrubbed, leveled like the worker's). */
  readonly logger: Logger;
}

const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * A TaskRunner whose task runs in its own worker thread (task-thread.ts): the task's
 * reading, conversion, Kafka traffic and writes happen on that thread's event loop, so a
 * busy task uses its own core and never delays the REST API, the herder or other tasks.
 *
 * Contracts (TaskRunner's, across the thread boundary): `start` resolves once the task
 * runs or reported FAILED; `pause`/`resume` resolve once the thread applied them;
 * `stop` is idempotent, never throws, and resolves once the thread stopped the task
 * (batch in flight finished, flushed, torn down, Kafka clients closed) and exited. The
 * thread's states go to `onState` (a failure's trace as the thread formatted it), its
 * metrics to `metrics`, its log lines through `logger`. A thread that dies unexpectedly
 * (an uncaught error, or exit) reports its task FAILED with the reason.
 */
export class ThreadedTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly id: number;
  private worker: Worker | null = null;
  private readonly rpc: MessageRpc<MainRequest>;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private stopped: Promise<void> | null = null;

  constructor(private readonly opts: ThreadedTaskRunnerOptions) {
    this.connector = opts.connector;
    this.id = opts.id;
    this.rpc = new MessageRpc<MainRequest>((m) => this.worker?.postMessage(m));
  }

  async start(paused: boolean): Promise<void> {
    const o = this.opts;
    const data: TaskThreadData = {
      connector: o.connector,
      id: o.id,
      pluginClass: o.pluginClass,
      connectorConfig: { ...o.connectorConfig },
      taskConfig: { ...o.taskConfig },
      bootstrap: [...o.bootstrap],
      registryUrl: o.registryUrl,
      pluginModules: [...o.pluginModules],
      offsets: o.offsets.offsets(o.connector),
      exactlyOnce: o.exactlyOnce,
      exactlyOnceSetting: o.exactlyOnceSetting,
      logLevel: o.logger.level,
    };
    const worker = takeTaskThread();
    this.worker = worker;
    const init: ToThread = { t: 'init', data };
    worker.postMessage(init);
    this.exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.worker = null;
        this.rpc.closeAll(new Error(`the task thread exited (code ${code})`));
        if (!this.stopping) this.died(`the task thread exited unexpectedly (code ${code})`);
        resolve();
      });
    });
    worker.on('error', (err) => {
      o.logger.error({ err: err.message, stack: err.stack }, 'task thread failed');
      if (!this.stopping) this.died(`the task thread failed: ${err.stack ?? err.message}`);
    });
    worker.on('message', (m: FromThread) => this.onMessage(m));
    try {
      await this.rpc.call({ op: 'start', paused });
    } catch (err) {
      if (!this.stopping) this.died(`the task thread could not start the task: ${errorMessage(err)}`);
    }
  }

  async pause(): Promise<void> {
    await this.rpc.call({ op: 'pause' }).catch(() => undefined);
  }

  async resume(): Promise<void> {
    await this.rpc.call({ op: 'resume' }).catch(() => undefined);
  }

  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      if (!this.worker) return;
      try {
        await this.rpc.call({ op: 'stop' });
      } catch (err) {
        this.opts.logger.warn({ err: errorMessage(err) }, 'stopping the task thread failed; terminating it');
        await this.worker?.terminate();
      }
      await this.exited;
    })();
    return this.stopped;
  }

  private died(reason: string): void {
    this.stopping = true;
    this.opts.onState('FAILED', new Error(reason));
    void this.worker?.terminate();
  }

  private onMessage(m: FromThread): void {
    switch (m.t) {
      case 'reply':
        this.rpc.settle(m);
        return;
      case 'request':
        void this.rpc.answer(m.seq, m.request, (r) => this.answer(r)).catch(() => undefined);
        return;
      case 'log':
        this.log(m.line);
        return;
      case 'state': {
        let error: unknown = undefined;
        if (m.trace !== null) {
          if (m.traceIsError) {
            const e = new Error(m.trace.split('\n')[0]);
            e.stack = m.trace;
            error = e;
          } else error = m.trace;
        }
        this.opts.onState(m.state, error);
        return;
      }
      case 'metric':
        this.metric(m.name, m.arg);
        return;
    }
  }

  /** Requests of the thread; answered in the worker's thread. */
  private async answer(r: ThreadRequest): Promise<unknown> {
    switch (r.op) {
      case 'owns':
        return this.opts.owns();
      case 'writeOffsets':
        await this.opts.offsets.write(this.opts.connector, r.entries);
        return null;
      case 'readOffsets':
        await this.opts.offsets.refresh(this.opts.connector);
        return this.opts.offsets.offsets(this.opts.connector);
    }
  }

  private metric(name: MetricName, arg: unknown): void {
    const m = this.opts.metrics;
    switch (name) {
      case 'sourceBatch':
        m.sourceBatch(arg as Parameters<TaskMetrics['sourceBatch']>[0]);
        return;
      case 'sinkBatch':
        m.sinkBatch(arg as Parameters<TaskMetrics['sinkBatch']>[0]);
        return;
      case 'recordsFailed':
        m.recordsFailed(arg as number);
        return;
      case 'offsetCommit':
        m.offsetCommit(arg as number);
        return;
      case 'deadLetterRecord':
        m.deadLetterRecord();
        return;
      case 'snapshotProgress':
        m.snapshotProgress?.(arg as Parameters<NonNullable<TaskMetrics['snapshotProgress']>>[0]);
        return;
      case 'replicationSlot':
        m.replicationSlot?.(arg as Parameters<NonNullable<TaskMetrics['replicationSlot']>>[0]);
        return;
    }
  }

  private log(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.opts.logger.info(line.trim());
      return;
    }
    const { level, msg, pid: _pid, hostname: _hostname, time: _time, ...fields } = entry;
    const method = PINO_LEVELS[Number(level)] ?? 'info';
    this.opts.logger[method](fields, typeof msg === 'string' ? msg : '');
  }
}
