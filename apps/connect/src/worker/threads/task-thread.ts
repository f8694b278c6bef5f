import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { KafkaClients } from '@millrace/kafka-log';
import pino, { type Logger } from 'pino';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import type { TaskMetrics } from '../../metrics/task-metrics';
import { loadPluginModules } from '../../plugins/plugin-modules';
import { BUILT_IN_PLUGIN_LOADERS, loadBuiltInPlugins } from '../../plugins/built-in-plugins';
import { traceOf } from '../../storage/error-trace';
import { canonicalJson, type SourceOffset, type SourceOffsetEntry, type SourcePartition } from '../../storage/offset-state';
import { assembleTask, type AssembledTask } from '../task-assembly';
import type { TaskOffsets } from '../task-offsets';
import { MessageRpc } from './message-rpc';
import type { FromThread, MainRequest, MetricName, TaskThreadData, ThreadRequest, ToThread } from './task-thread-protocol';

/**
 * Entry of a task thread (ThreadedTaskRunner starts it, possibly ahead of time as a warm
 * spare: its modules load before it has a task; the `init` message brings the task's
 * TaskThreadData): builds the task with
 * assembleTask, exactly as the worker would in its own thread, and runs it here, so its
 * reads, conversions, Kafka traffic and writes use this thread's event loop and core.
 * The worker drives it through requests (start, pause, resume, stop); the task's
 * states, metrics and log lines go to the worker as messages; source commits ask the
 * worker whether it still owns the task and have it store the offsets (the worker's
 * OffsetStore owns connect-offsets). After `stop` answered, the thread has closed
 * everything and ends by itself.
 */
if (!parentPort) throw new Error('task-thread.ts runs only as a worker thread');
const port = parentPort;
/**
 * Task threads run at a lower scheduling priority (nice +5) than the worker's main thread
 * on Linux (a thread's own id through /proc/thread-self): when the cores are saturated,
 * the REST API and the herder get a core first and answer within milliseconds, while
 * the tasks take what is left. Elsewhere, or if refused, the priority stays as it is.
 */
const TASK_THREAD_NICE = 5;
try {
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.max(os.getPriority(tid), TASK_THREAD_NICE));
} catch {
  // not Linux, or not allowed: keep the inherited priority
}

const post = (message: FromThread): void => port.postMessage(message);
const rpc = new MessageRpc<ThreadRequest>((m) => port.postMessage(m));

/** Set by the `init` message (a thread may be started ahead, as a warm spare, before it has a task). */
let data: TaskThreadData;
let logger: Logger;

/** The connector's offsets as the task sees them: the snapshot it started with, plus its own writes. */
const known = new Map<string, SourceOffset>();

/**
 * A thread without a task shortly after it started is a spare (task-thread-pool.ts): it
 * loads the built-in connectors too, so that the task it gets starts warm.
 */
const preload = setTimeout(() => {
  void BUILT_IN_PLUGIN_LOADERS['jdbc-source']().catch(() => undefined);
  void BUILT_IN_PLUGIN_LOADERS['jdbc-sink']().catch(() => undefined);
}, 200);
preload.unref();

function init(d: TaskThreadData): void {
  clearTimeout(preload);
  data = d;
  logger = pino({ level: data.logLevel, base: undefined, timestamp: false }, { write: (line: string) => post({ t: 'log', line }) });
  for (const e of data.offsets) known.set(canonicalJson(e.partition), e.offset);
}

const offsets: TaskOffsets = {
  offset: (_connector: string, partition: SourcePartition) => known.get(canonicalJson(partition)) ?? null,
  write: async (_connector: string, entries: readonly SourceOffsetEntry[]) => {
    await rpc.call({ op: 'writeOffsets', entries });
    for (const e of entries) {
      if (e.offset === null) known.delete(canonicalJson(e.partition));
      else known.set(canonicalJson(e.partition), e.offset);
    }
  },
  refresh: async () => {
    const all = await rpc.call<{ partition: SourcePartition; offset: SourceOffset }[]>({ op: 'readOffsets' });
    known.clear();
    for (const e of all) known.set(canonicalJson(e.partition), e.offset);
  },
  committed: (_connector: string, entries: readonly SourceOffsetEntry[]) => {
    for (const e of entries) {
      if (e.offset === null) known.delete(canonicalJson(e.partition));
      else known.set(canonicalJson(e.partition), e.offset);
    }
  },
};

const metric = (name: MetricName) => (arg?: unknown) => post({ t: 'metric', name, arg });
const metrics: TaskMetrics = {
  sourceBatch: (b) => post({ t: 'metric', name: 'sourceBatch', arg: { ...b, topics: [...b.topics] } }),
  sinkBatch: metric('sinkBatch'),
  recordsFailed: metric('recordsFailed'),
  offsetCommit: metric('offsetCommit'),
  deadLetterRecord: metric('deadLetterRecord'),
  snapshotProgress: metric('snapshotProgress'),
  replicationSlot: metric('replicationSlot'),
};

let assembled: AssembledTask | null = null;
let stopped: Promise<void> | null = null;

async function start(paused: boolean): Promise<void> {
  const plugin = await findPlugin(data.pluginClass);
  if (!plugin) throw new Error(`connector plugin ${data.pluginClass} is not available in the task thread`);
  const clients = new KafkaClients(data.bootstrap, 'millrace-connect-worker', logger);
  try {
    assembled = await assembleTask(data.connector, data.id, plugin, data.connectorConfig, data.taskConfig, {
      clients,
      registryUrl: data.registryUrl,
      logger,
      metrics,
      onState: (state, error) => post({ t: 'state', state, trace: error === undefined ? null : traceOf(error), traceIsError: error instanceof Error }),
      offsets,
      owns: () => rpc.call<boolean>({ op: 'owns' }),
      exactlyOnce: data.exactlyOnce,
      exactlyOnceSetting: data.exactlyOnceSetting,
    });
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'task could not be created');
    post({ t: 'state', state: 'FAILED', trace: traceOf(err), traceIsError: true });
    return;
  }
  post({ t: 'state', state: 'UNASSIGNED', trace: null, traceIsError: false });
  await assembled.runner.start(paused);
}

/**
 * The plugin named `name` (its canonical name), loading only what it needs: a thread
 * runs one task, so it imports one built-in connector (each costs hundreds of ms of
 * module loading), or the plugin modules when it is none of them.
 */
async function findPlugin(name: string): Promise<ConnectorPlugin | undefined> {
  const load = BUILT_IN_PLUGIN_LOADERS[name];
  if (load) return load();
  return loadPluginModules(data.pluginModules, await loadBuiltInPlugins()).find((p) => p.name === name);
}

function stop(): Promise<void> {
  stopped ??= (async () => {
    const a = assembled;
    if (!a) return;
    await a.runner.stop();
    for (const close of a.closers) await close();
  })();
  return stopped;
}

async function handle(request: MainRequest): Promise<void> {
  switch (request.op) {
    case 'start':
      return start(request.paused);
    case 'pause':
      return assembled?.runner.pause();
    case 'resume':
      return assembled?.runner.resume();
    case 'stop':
      await stop();
      // Nothing of the task is left: let the thread end once the reply is out.
      setImmediate(() => port.close());
      return;
  }
}

port.on('message', (message: ToThread) => {
  if (message.t === 'init') init(message.data);
  else if (message.t === 'reply') rpc.settle(message);
  else void rpc.answer(message.seq, message.request, handle);
});
