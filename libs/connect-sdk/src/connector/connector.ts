import type { ConfigDef, ParsedConfig } from '../config/config-def';
import type { SinkRecord, SourceRecord, TopicPartition } from '../record/connect-record';
import type { ReconcileSourceFacet, ReconcileTargetFacet } from './reconcile-facet';

/**
 * Connector plugins, after Kafka Connect's two levels (a connector splits the work into
 * task configs; tasks move the data) with Conduit's small task shape.
 *
 * Offsets belong to the runtime, not the connector: a source task receives the last
 * committed offset of each of its source partitions when it opens and reports progress
 * only through the `sourceOffset` of the records it returns; a sink task's progress is
 * the Kafka offsets of the records it wrote (an exactly-once sink also stores them in
 * its destination and hands them back when partitions are assigned).
 */
export type ConnectorType = 'source' | 'sink';

export interface ConnectorContext {
  /** The connector's name. */
  readonly name: string;
  readonly logger: ConnectorLogger;
  /** Asks the runtime to call taskConfigs again and reconfigure the tasks (e.g. tables appeared). */
  requestTaskReconfiguration(): void;
  /** Fails the connector with this error (shown as FAILED with its trace). */
  raiseError(error: Error): void;
}

export interface ConnectorLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface Connector {
  /** Starts with a validated config (raw strings plus parsed values of the plugin's keys). */
  start(config: Readonly<Record<string, string>>, parsed: ParsedConfig, context: ConnectorContext): Promise<void>;
  /** At most `maxTasks` task configs (raw string maps, stored in connect-configs). */
  taskConfigs(maxTasks: number): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

export interface TaskContext {
  readonly connectorName: string;
  readonly taskId: number;
  readonly logger: ConnectorLogger;
  /**
   * Shows `message` in the task's status while it runs (the `trace` of its RUNNING or
   * PAUSED state in `GET /connectors/{c}/status`) until replaced; null clears it. For
   * conditions a user must see that do not fail the task (e.g. nothing to read yet).
   * Optional: contexts made by tests may lack it.
   */
  reportStatus?(message: string | null): void;
}

export interface SourceTaskContext extends TaskContext {
  /** Last committed offset of a source partition, or null when none was committed. */
  offset(sourcePartition: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | null;
}

/**
 * A source task. The runtime calls `read` in a loop; an empty array means "nothing now"
 * (the task itself waits its poll interval inside `read`, bounded so that stopping is
 * prompt: at most ~1 s per call). `ack` tells the task which records are durably in Kafka
 * together with their offsets (exactly-once: in the same Kafka transaction).
 */
export interface SourceTask {
  open(config: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void>;
  read(maxRecords: number): Promise<SourceRecord[]>;
  ack(records: readonly SourceRecord[]): Promise<void>;
  teardown(): Promise<void>;
}

export interface SinkTaskContext extends TaskContext {
  /** Asks the runtime to pause consumption (back-pressure) until `resume`. */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
}

/**
 * A sink task. `write` receives batches in Kafka offset order per partition and may
 * buffer; `flush` must make everything written so far durable. A sink that stores its
 * consumed offsets in the destination (exactly-once) returns them from
 * `partitionsAssigned`, and the runtime seeks there instead of the group's committed
 * offsets; `null` for a partition means "use the committed offset".
 */
export interface SinkTask {
  /**
   * Optional capability, read by the runtime before each fetched batch: true = the task
   * can take records whose value stays Avro binary (SinkRecord.rawValue/rawSchema, the
   * value decoded only if read), so a task with a direct Avro path skips building
   * the Connect value. The runtime delivers such records only when the value converter
   * is Avro, no transforms are configured and errors.tolerance is none (a value that
   * does not decode then fails the task, as it would during conversion); every other
   * record comes as usual.
   */
  readonly acceptsRawAvroValues?: boolean;
  open(config: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void>;
  partitionsAssigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number | null>>;
  partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void>;
  write(records: readonly SinkRecord[]): Promise<void>;
  flush(): Promise<void>;
  teardown(): Promise<void>;
}

/** Key of a topic-partition in the maps above: `${topic}-${partition}`. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/**
 * A connector plugin as the runtime lists it (`GET /connector-plugins`). `name` is the
 * plugin name used in `connector.class`; `aliases` are other accepted class names
 * (Confluent's and Apache's Java class names).
 */
export interface ConnectorPlugin {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: ConnectorType;
  readonly version: string;
  readonly configDef: ConfigDef;
  /** Cross-field checks beyond each key's own validator: key -> message. */
  validate?(config: Readonly<Record<string, string>>, parsed: ParsedConfig): Readonly<Record<string, string>>;
  createConnector(): Connector;
  createTask(): SourceTask | SinkTask;
  /**
   * The plugin's tasks keep no state outside their task object (nothing module-wide that
   * tasks or restarts share), so the runtime may run each task in its own worker thread
   * (its own module instances). Unset: tasks run on the worker's main event loop.
   */
  readonly threadSafeTasks?: boolean;
  /** A database source: the table behind each of its topics (reconcile-facet.ts). */
  readonly reconcileSource?: ReconcileSourceFacet;
  /** A table sink: the table each consumed topic lands in (reconcile-facet.ts). */
  readonly reconcileTarget?: ReconcileTargetFacet;
  /**
   * Delivers a Debezium-style signal (`execute-snapshot`, `stop-snapshot`; `data` is the
   * signal's JSON) to a source connector, using its resolved config (e.g. written to the
   * source database, where the running task reads it in order). Used by
   * `POST|DELETE /connectors/{c}/snapshots`. Throws an error named `SignalError` for a bad
   * signal (its message names the field). Unset: the plugin takes no signals.
   */
  sendSignal?(config: Readonly<Record<string, string>>, signal: { readonly id: string; readonly type: string; readonly data: string }): Promise<void>;
}
