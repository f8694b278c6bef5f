import { PushedQueue, type SourceRecord, type SourceTask, type SourceTaskContext } from '@millrace/connect-sdk';
import { alreadyRecorded, toRecord, type DataChange } from './opcua-record';
import { parseOpcUaSourceConfig, type OpcUaSourceConfig } from './opcua-source-config';
import type { OpcUaSubscriber } from './opcua-subscriber';

export const CONNECTOR_VERSION = '0.1.0';

/**
 * Monitored-item data changes of one OPC UA server into one topic, keyed by node id.
 *
 * Every change the server publishes is queued and handed to the runtime by `read`; the
 * queue holds at most 200,000 changes (beyond that the oldest are dropped, counted and
 * reported in the status: the server outpaces Kafka). The stored offset of each variable
 * (opcua-record.ts) drops the repetition of its last recorded value that every new
 * subscription starts with, so a restart of the task or of the server does not write a
 * change twice. OPC UA keeps no history for a subscription: changes published while the
 * task is down, or received but not yet committed when it is killed, are not read again
 * (what a server queues for a live session while the network is down is delivered after
 * the reconnect).
 */
const QUEUE_CAP = 200_000;

export class OpcUaSourceTask implements SourceTask {
  private config: OpcUaSourceConfig | null = null;
  private subscriber: OpcUaSubscriber | null = null;
  private context: SourceTaskContext | null = null;
  private readonly queue = new PushedQueue<DataChange>();
  private dropped = 0;
  private skipped = 0;
  /** Offsets as stored when the task opened, per node id; consulted until a newer change passes. */
  private readonly resumeFrom = new Map<string, Readonly<Record<string, unknown>>>();
  /** Node ids whose stored offset was looked up (at their first change). */
  private readonly looked = new Set<string>();

  async open(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const config = parseOpcUaSourceConfig(raw);
    this.config = config;
    this.context = context;
    // node-opcua takes seconds to load: only a worker running this connector pays for it.
    const { OpcUaSubscriber } = await import('./opcua-subscriber');
    const subscriber = new OpcUaSubscriber(config, {
      onChange: (change) => this.take(change),
      onState: (message) => context.reportStatus?.(message),
      onWarning: (message) => context.logger.warn(message),
    });
    this.subscriber = subscriber;
    try {
      await subscriber.start();
    } catch (err) {
      await subscriber.stop();
      throw err;
    }
    const stored = subscriber.nodeIds.filter((node) => context.offset({ endpoint: config.endpointUrl, node }) !== null).length;
    context.logger.info(`monitoring ${subscriber.nodeIds.length} variables on ${config.endpointUrl} (${stored} with a stored position)`);
  }

  private take(change: DataChange): void {
    if (!this.looked.has(change.nodeId)) {
      // the first change of a variable may come before start() resolves: its stored position is read here
      this.looked.add(change.nodeId);
      const offset = this.context!.offset({ endpoint: this.config!.endpointUrl, node: change.nodeId });
      if (offset) this.resumeFrom.set(change.nodeId, offset);
    }
    const stored = this.resumeFrom.get(change.nodeId);
    if (stored) {
      if (alreadyRecorded(change, stored)) {
        this.skipped++;
        return;
      }
      this.resumeFrom.delete(change.nodeId);
    }
    if (this.queue.length >= QUEUE_CAP) {
      this.queue.dropFirst(() => true);
      if (this.dropped++ % 10_000 === 0) this.context?.reportStatus?.(`${this.dropped} changes dropped: the server publishes faster than Kafka takes them (queue ${QUEUE_CAP})`);
    }
    this.queue.push(change);
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    const changes = await this.queue.take(maxRecords, 500);
    const config = this.config!;
    const now = Date.now();
    return changes.map((c) => toRecord(c, config.endpointUrl, config.kafkaTopic, now));
  }

  async ack(_records: readonly SourceRecord[]): Promise<void> {}

  async teardown(): Promise<void> {
    this.queue.wake();
    await this.subscriber?.stop();
    this.subscriber = null;
  }
}
