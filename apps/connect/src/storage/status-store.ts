import { Inject, Injectable } from '@nestjs/common';
import type { LogRecord } from '@millrace/kafka-log';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { CompactedTopicStore } from './compacted-topic-store';
import { traceOf } from './error-trace';
import { StatusState, type ConnectorState, type StatusEntry, type StatusRecord } from './status-state';
import { TopicStatusState } from './topic-status-state';

export type { ConnectorState, StatusEntry } from './status-state';
export { traceOf };

/**
 * Connector and task states in the compacted topic `connect-status`
 * (MILLRACE_CONNECT_STATUS_PARTITIONS partitions, default 5), record format in
 * status-state.ts.
 *
 * Contracts: the topic is read at start (so statuses of the previous run are visible
 * until replaced) and then tailed, so every worker of the cluster shows the statuses the
 * others write for the work they run. What this worker reports changes its view at once
 * (its own records coming back are not applied again) and goes to the topic in order in
 * the background (acks=-1), as Kafka Connect writes statuses asynchronously. A record of
 * another worker older than the entry it would replace (a smaller group generation, from
 * a worker that lost the work) is ignored. `flush` resolves once everything reported so
 * far is written.
 */
@Injectable()
export class StatusStore extends CompactedTopicStore {
  private readonly state = new StatusState();
  private readonly activeTopicsState = new TopicStatusState();
  private readonly workerId: string;
  private loaded = false;
  private generation = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(@Inject(CONNECT_CONFIG) config: ConnectConfig, @Inject(ROOT_LOGGER) rootLogger: Logger) {
    super(config, rootLogger, { topic: config.statusTopic, partitions: config.statusTopicPartitions, replicationFactor: config.storageReplicationFactors.status, clientId: 'millrace-connect-status', component: 'status-store' });
    this.workerId = config.workerId;
  }

  protected apply(record: LogRecord): void {
    if (TopicStatusState.isKey(record.key)) {
      this.activeTopicsState.apply(record);
      return;
    }
    if (!this.loaded || record.value === null) {
      this.state.apply(record);
      return;
    }
    const incoming = JSON.parse(record.value) as StatusEntry;
    if (incoming.worker_id === this.workerId) return;
    const existing = this.state.entry(record.key);
    if (existing && existing.worker_id !== incoming.worker_id && existing.generation > incoming.generation) return;
    this.state.apply(record);
  }

  /** The group generation this worker's statuses are written with (set at each rebalance). */
  setGeneration(generation: number): void {
    this.generation = generation;
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.loaded = true;
  }

  override async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await super.onApplicationShutdown();
  }

  connector(name: string): StatusEntry | undefined {
    return this.state.connector(name);
  }

  task(name: string, id: number): StatusEntry | undefined {
    return this.state.task(name, id);
  }

  taskStatuses(name: string): { id: number; status: StatusEntry }[] {
    return this.state.taskStatuses(name);
  }

  /** Reports a connector's state, unless another worker reported it in a newer generation (Kafka's putSafe). */
  putConnector(name: string, state: ConnectorState, error?: unknown): void {
    if (this.newerElsewhere(this.state.connector(name))) return;
    this.enqueue([this.state.setConnector(name, this.entry(state, error))]);
  }

  /** Reports a task's state, unless another worker reported it in a newer generation (a zombie's writes are dropped). */
  putTask(name: string, id: number, state: ConnectorState, error?: unknown): void {
    if (this.newerElsewhere(this.state.task(name, id))) return;
    this.enqueue([this.state.setTask(name, id, this.entry(state, error))]);
  }

  /** Removes task statuses with id >= fromId (all by default). */
  removeTasks(name: string, fromId = 0): void {
    this.enqueue(this.state.removeTasks(name, fromId));
  }

  removeConnector(name: string): void {
    this.enqueue([...this.state.removeConnector(name), ...this.activeTopicsState.reset(name)]);
  }

  /** The connector's active topics (KIP-558), as every worker's tasks reported them; sorted. */
  activeTopics(name: string): string[] {
    return this.activeTopicsState.topics(name);
  }

  /** Records that a task of the connector used `topic`; written once per topic until a reset. */
  putActiveTopic(name: string, topic: string, task: number): void {
    const record = this.activeTopicsState.add(name, topic, task);
    if (record) this.enqueue([record]);
  }

  /** `PUT /connectors/{c}/topics/reset`: tombstones for the connector's active topics. */
  resetActiveTopics(name: string): void {
    this.enqueue(this.activeTopicsState.reset(name));
  }

  private newerElsewhere(existing: StatusEntry | undefined): boolean {
    return existing !== undefined && existing.worker_id !== this.workerId && existing.generation > this.generation;
  }

  flush(): Promise<void> {
    return this.pending;
  }

  private entry(state: ConnectorState, error?: unknown): StatusEntry {
    return { state, trace: error === undefined ? null : traceOf(error), worker_id: this.workerId, generation: this.generation };
  }

  private enqueue(records: StatusRecord[]): void {
    if (records.length === 0) return;
    this.pending = this.pending.then(() =>
      this.log.send(records).catch((err: unknown) => this.logger.warn({ keys: records.map((r) => r.key), err: (err as Error).message }, 'failed to write statuses')),
    );
  }
}
