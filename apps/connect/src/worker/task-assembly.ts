import {
  buildTransformChain,
  createConverter,
  createErrorReporters,
  parseErrorHandlingConfig,
  RetryWithToleranceOperator,
  type ConnectHeader,
  type ConnectorPlugin,
  type ErrorReporter,
  type SinkRecord,
  type SinkTask,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  EXACTLY_ONCE_SUPPORT_CONFIG,
  TRANSACTION_BOUNDARY_CONFIG,
} from '@millrace/connect-sdk';
import { ensureTopic, type KafkaClients } from '@millrace/kafka-log';
import type { RecordHeader } from '@millrace/protocol';
import type { Logger } from 'pino';
import { hasReplicationSlot, hasSnapshotProgress, type TaskMetrics } from '../metrics/task-metrics';
import { FencedCommitter } from './fenced-committer';
import { NonTransactionalCommitter } from './non-transactional-committer';
import type { SourceRecordCommitter } from './source-record-committer';
import { sourceTransactionalId, TransactionalCommitter } from './transactional-committer';
import { sinkConsumerConfig } from './sink-consumer-config';
import { SinkTaskRunner } from './sink-task-runner';
import { connectorLogger } from './connector-logger';
import { SourceTaskRunner } from './source-task-runner';
import type { TaskOffsets } from './task-offsets';
import type { TaskRunner, TaskStateListener } from './task-runner';

/**
 * Most records a source task is asked for at once (`SourceTask.read(max)`): one batch is
 * converted, produced and its offsets stored together, so bigger batches mean fewer
 * round trips (the offset write waits for its read-back). Tasks return what they have.
 */
export const SOURCE_BATCH_RECORDS = 10_000;


/** What a task is built from besides its configs; the same in the worker's thread and in a task thread. */
export interface TaskAssemblyDeps {
  readonly clients: KafkaClients;
  readonly registryUrl: string;
  readonly logger: Logger;
  readonly metrics: TaskMetrics;
  readonly onState: TaskStateListener;
  readonly offsets: TaskOffsets;
  /** Source commits happen only while this holds (FencedCommitter). */
  readonly owns: () => boolean | Promise<boolean>;
  /** Exactly-once source (KIP-618) when the worker runs it; null: at least once. */
  readonly exactlyOnce: ExactlyOnceSource | null;
  /** MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE as set, for the message when a connector requires exactly once. */
  readonly exactlyOnceSetting: string;
  /** Called with the task object once created (e.g. to register a source-lag reporter). */
  readonly onTaskCreated?: (task: SourceTask | SinkTask) => void;
}

/** What a transactional source task needs to know about its worker. */
export interface ExactlyOnceSource {
  /** The worker's group.id: transactional ids are `<group.id>-<connector>-<task>`. */
  readonly groupId: string;
  readonly offsetTopic: string;
}

export interface AssembledTask {
  readonly runner: TaskRunner;
  /** Resources owned by the task (DLQ producer, reporters, transforms), closed after the runner, in order. */
  readonly closers: (() => Promise<void>)[];
}

/**
 * Builds task `id` of a connector from its RESOLVED configs (config providers already
 * applied): converters (worker default `avro` against the registry), error handling with
 * its reporters and dead letter queue, transforms, and the runner (source: fenced
 * at-least-once committer over the project's producer; sink: group consumer).
 * Throws when anything cannot be built, after closing what was built.
 */
export async function assembleTask(
  name: string,
  id: number,
  plugin: ConnectorPlugin,
  connectorConfig: Readonly<Record<string, string>>,
  taskConfig: Readonly<Record<string, string>>,
  deps: TaskAssemblyDeps,
): Promise<AssembledTask> {
  const { clients, logger, metrics, onState } = deps;
  const closers: (() => Promise<void>)[] = [];
  try {
    const converterDefaults = { 'schema.registry.url': deps.registryUrl };
    const keyConverter = await createConverter(converterName(connectorConfig['key.converter']), connectorConfig, true, converterDefaults);
    const valueConverter = await createConverter(converterName(connectorConfig['value.converter']), connectorConfig, false, converterDefaults);
    const errorConfig = parseErrorHandlingConfig(connectorConfig);
    let send: ((topic: string, key: Buffer | null, value: Buffer | null, headers: readonly ConnectHeader[]) => Promise<void>) | undefined;
    if (plugin.type === 'sink' && errorConfig.deadLetterQueueTopic !== '') {
      await ensureDeadLetterTopic(clients, errorConfig.deadLetterQueueTopic, errorConfig.deadLetterQueueReplicationFactor, logger);
      const producer = clients.producer(`dlq-${name}-${id}`);
      closers.push(() => producer.close().catch(() => undefined));
      send = async (topic, key, value, headers) => {
        await producer.send([{ topic, key, value, headers: recordHeaders(headers) }]);
        metrics.deadLetterRecord();
      };
    }
    const reporters: ErrorReporter[] = createErrorReporters(errorConfig, { connectorName: name, taskId: id, connectorType: plugin.type, logger: connectorLogger(logger), send });
    closers.unshift(async () => {
      for (const r of reporters) await r.close?.().catch(() => undefined);
    });
    const operator = RetryWithToleranceOperator.fromConfig(errorConfig, { reporters });
    const task = plugin.createTask();
    deps.onTaskCreated?.(task);
    if (hasSnapshotProgress(task)) {
      // a snapshotting source's progress, pushed to the worker's /metrics every second
      const timer = setInterval(() => metrics.snapshotProgress?.(task.snapshotProgress()), 1000);
      timer.unref();
      closers.push(async () => clearInterval(timer));
    }
    if (hasReplicationSlot(task)) {
      // a CDC source's slot health (lag, wal_status), pushed to the worker's /metrics every second
      const timer = setInterval(() => metrics.replicationSlot?.(task.replicationSlot()), 1000);
      timer.unref();
      closers.push(async () => clearInterval(timer));
    }
    if (plugin.type === 'source') {
      const transforms = buildTransformChain<SourceRecord>(connectorConfig);
      closers.push(async () => transforms.close());
      const runner = new SourceTaskRunner({
        connector: name,
        id,
        task: task as SourceTask,
        taskConfig,
        keyConverter,
        valueConverter,
        transforms,
        operator,
        committer: new FencedCommitter(sourceCommitter(name, id, connectorConfig, deps), deps.owns, name, id),
        offsets: { offset: (partition: Parameters<SourceTaskContext['offset']>[0]) => deps.offsets.offset(name, partition) },
        onState,
        logger,
        batchSize: SOURCE_BATCH_RECORDS,
        metrics,
      });
      return { runner, closers };
    }
    const transforms = buildTransformChain<SinkRecord>(connectorConfig);
    closers.push(async () => transforms.close());
    const topics = (connectorConfig.topics ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const runner = new SinkTaskRunner({
      connector: name,
      id,
      task: task as SinkTask,
      taskConfig,
      kafka: clients.kafkajs,
      bootstrap: clients.bootstrap,
      topics,
      topicsRegex: connectorConfig['topics.regex'] ?? '',
      consumerConfig: sinkConsumerConfig(connectorConfig),
      keyConverter,
      valueConverter,
      transforms,
      operator,
      onState,
      logger,
      metrics,
    });
    return { runner, closers };
  } catch (err) {
    for (const close of closers) await close();
    throw err;
  }
}

/** Creates a dead letter queue topic (1 partition) unless it exists; see ensureTopic for the replication factor. */
async function ensureDeadLetterTopic(clients: KafkaClients, topic: string, replicationFactor: number, logger: Logger): Promise<void> {
  const admin = clients.kafkajs.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, { topic, partitions: 1, replicationFactor }, logger);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** A connector's converter name, or the worker default `avro` when unset. */
function converterName(configured: string | undefined): string {
  const name = (configured ?? '').trim();
  return name === '' ? 'avro' : name;
}

function recordHeaders(headers: readonly ConnectHeader[]): RecordHeader[] {
  return headers.map((h) => ({ key: h.key, value: typeof h.value === 'string' ? Buffer.from(h.value, 'utf8') : h.value }));
}

/**
 * A source task's committer: exactly once (records and offsets in one transaction,
 * transactional id `<group.id>-<connector>-<task>`) when the worker runs sources exactly
 * once, else at least once. `exactly.once.support=required` on a worker without it, and
 * a transaction boundary other than `poll`, fail the task naming the setting.
 */
function sourceCommitter(name: string, id: number, connectorConfig: Readonly<Record<string, string>>, deps: TaskAssemblyDeps): SourceRecordCommitter {
  const producerName = `source-${name}-${id}`;
  const eos = deps.exactlyOnce;
  if (!eos) {
    if ((connectorConfig[EXACTLY_ONCE_SUPPORT_CONFIG] ?? '').toLowerCase() === 'required') {
      throw new Error(`${EXACTLY_ONCE_SUPPORT_CONFIG}=required, but this worker does not run source tasks exactly once (MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE=${deps.exactlyOnceSetting}; the Kafka cluster must serve transactions)`);
    }
    return new NonTransactionalCommitter(() => deps.clients.producer(producerName), deps.offsets, name);
  }
  const boundary = (connectorConfig[TRANSACTION_BOUNDARY_CONFIG] ?? 'poll').toLowerCase();
  if (boundary !== 'poll') throw new Error(`${TRANSACTION_BOUNDARY_CONFIG}=${boundary} is not supported yet: use poll (one transaction per batch the task returns)`);
  const transactionalId = sourceTransactionalId(eos.groupId, name, id);
  return new TransactionalCommitter(() => deps.clients.producer(producerName, { transactionalId }), deps.offsets, eos.offsetTopic, name);
}
