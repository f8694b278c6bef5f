import { errorMessage } from '@millrace/app-common';
import { ErrorCode, FetchApi, ListOffsetsApi, MetadataApi } from '@millrace/protocol';
import { ISOLATION_LEVEL_CODE, readFetchedRecords, type IsolationLevel, type ReaderRecord } from './fetched-records';
import { splitHostPort } from './host-port';
import { KafkaConnection } from './kafka-connection';

export interface ReaderLogger {
  warn(message: string): void;
}

export interface PartitionReaderOptions {
  /** host:port list. */
  bootstrap: readonly string[];
  topic: string;
  partition: number;
  clientId?: string;
  /** Fetch long-poll time (max_wait_ms); also bounds how long stop() waits. Default 500. */
  maxWaitMs?: number;
  /** Default `read_uncommitted`; see IsolationLevel. */
  isolationLevel?: IsolationLevel;
  logger?: ReaderLogger;
  /** Copy each record's bytes out of the fetch response (default true); see ReaderRecord. */
  copyRecords?: boolean;
}

/** Versions every Kafka since 0.11 serves, and Millrace does (the first with isolation_level). */
const METADATA_VERSION = 1;
const LIST_OFFSETS_VERSION = 2;
const FETCH_VERSION = 4;

/** Called with the records of one fetch and the offset the reader fetches next. */
export type RecordsHandler = (records: ReaderRecord[], nextOffset: number) => void;

/**
 * Tails one partition through the Kafka protocol WITHOUT a consumer group (Kafka
 * Connect's KafkaBasedLog, Confluent's KafkaStore reader): no join, no rebalance delay,
 * no committed offsets. Works against Millrace or any Kafka cluster.
 *
 * Contracts:
 * - `endOffset()` is the partition's current high watermark with `read_uncommitted`,
 *   its last stable offset (LSO) with `read_committed` (ListOffsets v2 isolation_level).
 * - After `start(from, onRecords)`, `onRecords` gets every record from `from` on, in
 *   offset order, fetch by fetch, with the offset it fetches next (its position). It is
 *   called whenever that position moved, also with no records when a fetch held only
 *   control records (transaction markers, never handed over) or, with
 *   `read_committed`, only records of aborted transactions (dropped; see
 *   readFetchedRecords). With `read_committed` the broker answers only up to the LSO,
 *   so records of open transactions arrive once their transaction committed.
 *   A fetch offset below the log start (deleted records, retention) restarts at the log
 *   start, which counts as a move.
 * - Connection failures and leader changes are retried with backoff until `stop()`;
 *   `logger` (optional) hears about them. `stop()` resolves once the loop has ended.
 */
export class PartitionReader {
  private connection: KafkaConnection | null = null;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly clientId: string;
  private readonly maxWaitMs: number;
  private readonly isolation: IsolationLevel;

  constructor(private readonly opts: PartitionReaderOptions) {
    this.clientId = opts.clientId ?? 'millrace-partition-reader';
    this.maxWaitMs = opts.maxWaitMs ?? 500;
    this.isolation = opts.isolationLevel ?? 'read_uncommitted';
  }

  async endOffset(): Promise<number> {
    return this.listOffset(-1);
  }

  start(fromOffset: number, onRecords: RecordsHandler): void {
    if (this.running) throw new Error('reader already started');
    this.running = true;
    this.loop = this.run(fromOffset, onRecords);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.connection?.close();
    this.connection = null;
    await this.loop;
  }

  private async run(fromOffset: number, onRecords: RecordsHandler): Promise<void> {
    let offset = fromOffset;
    let backoffMs = 100;
    while (this.running) {
      try {
        const conn = await this.leader();
        const res = await conn.send(FetchApi.apiKey, FETCH_VERSION, {
          replicaId: -1,
          maxWaitMs: this.maxWaitMs,
          minBytes: 1,
          maxBytes: 8 << 20,
          isolationLevel: ISOLATION_LEVEL_CODE[this.isolation],
          topics: [{ topic: this.opts.topic, partitions: [{ partition: this.opts.partition, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 8 << 20 }] }],
          forgottenTopicsData: [],
        });
        const p = res.responses[0]?.partitions[0];
        if (!p) throw new Error('fetch response without the partition');
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          const logStart = await this.listOffset(-2);
          const skipped = logStart > offset;
          offset = logStart;
          if (skipped) onRecords([], offset);
          continue;
        }
        if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch ${this.opts.topic}-${this.opts.partition} failed with error ${p.errorCode}`);
        const fetched = readFetchedRecords(p.records, offset, this.isolation, p.abortedTransactions, this.opts.copyRecords ?? true);
        const moved = fetched.nextOffset > offset;
        offset = fetched.nextOffset;
        if (fetched.records.length > 0 || moved) onRecords(fetched.records, offset);
        backoffMs = 100;
      } catch (err) {
        if (!this.running) break;
        this.opts.logger?.warn(`reading ${this.opts.topic}-${this.opts.partition} at offset ${offset}: ${errorMessage(err)}; retrying in ${backoffMs} ms`);
        this.connection?.close();
        this.connection = null;
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  }

  private async listOffset(timestamp: number): Promise<number> {
    const conn = await this.leader();
    const res = await conn.send(ListOffsetsApi.apiKey, LIST_OFFSETS_VERSION, {
      replicaId: -1,
      isolationLevel: ISOLATION_LEVEL_CODE[this.isolation],
      topics: [{ name: this.opts.topic, partitions: [{ partitionIndex: this.opts.partition, timestamp }] }],
    });
    const p = res.topics[0]?.partitions[0];
    if (!p || p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets ${this.opts.topic}-${this.opts.partition} failed with error ${p?.errorCode}`);
    return p.offset;
  }

  /** A live connection to the partition's leader, found through Metadata on a bootstrap broker. */
  private async leader(): Promise<KafkaConnection> {
    if (this.connection?.alive) return this.connection;
    let lastError: Error | null = null;
    for (const address of this.opts.bootstrap) {
      const [host, port] = splitHostPort(address);
      let boot: KafkaConnection | null = null;
      try {
        boot = await KafkaConnection.open(host, port, this.clientId);
        const md = await boot.send(MetadataApi.apiKey, METADATA_VERSION, { topics: [{ name: this.opts.topic }] });
        const topic = md.topics.find((t) => t.name === this.opts.topic);
        const part = topic?.partitions.find((x) => x.partitionIndex === this.opts.partition);
        if (!topic || topic.errorCode !== ErrorCode.NONE || !part || part.errorCode !== ErrorCode.NONE || part.leaderId < 0) {
          throw new Error(`no leader for ${this.opts.topic}-${this.opts.partition} (error ${topic?.errorCode ?? 'unknown topic'})`);
        }
        const broker = md.brokers.find((b) => b.nodeId === part.leaderId);
        if (!broker) throw new Error(`leader ${part.leaderId} is not in the broker list`);
        if (broker.host === host && broker.port === port) {
          this.connection = boot;
          boot = null;
        } else {
          this.connection = await KafkaConnection.open(broker.host, broker.port, this.clientId);
        }
        return this.connection;
      } catch (err) {
        lastError = err as Error;
      } finally {
        boot?.close();
      }
    }
    throw lastError ?? new Error('no bootstrap servers');
  }
}
