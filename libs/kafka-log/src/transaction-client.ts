import { errorMessage } from '@millrace/app-common';
import { AddPartitionsToTxnApi, EndTxnApi, ErrorCode, InitProducerIdApi, errorName } from '@millrace/protocol';
import { openCoordinator } from './group-coordinator-connection';
import type { KafkaConnection } from './kafka-connection';
import type { ReaderLogger } from './partition-reader';

/** InitProducerId v3: the first that carries the current id/epoch (KIP-360 recovery). */
const INIT_PRODUCER_ID_VERSION = 3;
/** AddPartitionsToTxn and EndTxn v1: served by every Kafka since 2.0 and by Millrace (v0-3). */
const ADD_PARTITIONS_VERSION = 1;
const END_TXN_VERSION = 1;

/** Coordinator answers after which the request goes to the coordinator found again. */
const REDISCOVER = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);
/** Coordinator answers after which the same request is retried after a backoff. */
const RETRY = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.REQUEST_TIMED_OUT]);
/** Answers meaning another producer took over this transactional id: fatal for this one. */
const FENCED = new Set<number>([ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]);

export interface TransactionClientOptions {
  bootstrap: readonly string[];
  transactionalId: string;
  /** transaction.timeout.ms: the coordinator aborts a transaction open this long. Default 60000. */
  transactionTimeoutMs?: number;
  clientId?: string;
  /** How long one call keeps retrying retriable answers. Default 30000 (request.timeout.ms). */
  requestTimeoutMs?: number;
  logger?: ReaderLogger;
}

/** The producer id and epoch InitProducerId gave this transactional id. */
export interface TransactionalProducerId {
  readonly id: number;
  readonly epoch: number;
}

/** A newer producer with the same transactional id exists: this one may never write again. */
export class ProducerFencedError extends Error {
  constructor(transactionalId: string, detail: string) {
    super(`producer with transactional.id ${transactionalId} was fenced by a newer one (${detail})`);
    this.name = 'ProducerFencedError';
  }
}

/** A coordinator answered an error that retrying does not cure (e.g. INVALID_TXN_STATE). */
export class TransactionRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionRequestError';
  }
}

/**
 * The client side of a Kafka transaction coordinator (KIP-98), on `libs/protocol`:
 * InitProducerId with a transactional id (which fences every earlier producer of the id
 * and aborts its open transaction), AddPartitionsToTxn before the first write to a
 * partition in a transaction, and EndTxn to commit or abort.
 *
 * Contracts:
 * - Every call finds the coordinator of the transactional id (FindCoordinator key type
 *   1) and keeps its connection; NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE find it
 *   again, COORDINATOR_LOAD_IN_PROGRESS / CONCURRENT_TRANSACTIONS retry with backoff
 *   (50 ms doubling to 1 s), all within requestTimeoutMs.
 * - PRODUCER_FENCED / INVALID_PRODUCER_EPOCH reject with ProducerFencedError: the
 *   caller stops using this producer (a zombie never commits); any other error rejects
 *   with its Kafka name.
 * - `partitionsAdded` tracks what the open transaction already holds, so
 *   `addPartitions` sends only new ones; `endTransaction` clears it.
 */
export class TransactionClient {
  private coordinator: KafkaConnection | null = null;
  private producer: TransactionalProducerId | null = null;
  private readonly added = new Set<string>();

  constructor(private readonly opts: TransactionClientOptions) {}

  get producerId(): TransactionalProducerId {
    if (!this.producer) throw new Error('initTransactions() has not completed');
    return this.producer;
  }

  /** Partitions (`topic\0partition`) the open transaction holds. */
  get partitionsAdded(): ReadonlySet<string> {
    return this.added;
  }

  /** InitProducerId for the transactional id: fences earlier producers, gives the id and epoch to write with. */
  async initTransactions(): Promise<TransactionalProducerId> {
    const res = await this.call('InitProducerId', (conn) =>
      conn.send(InitProducerIdApi.apiKey, INIT_PRODUCER_ID_VERSION, {
        transactionalId: this.opts.transactionalId,
        transactionTimeoutMs: this.opts.transactionTimeoutMs ?? 60_000,
        producerId: this.producer?.id ?? -1,
        producerEpoch: this.producer?.epoch ?? -1,
      }),
    );
    this.producer = { id: res.producerId, epoch: res.producerEpoch };
    this.added.clear();
    return this.producer;
  }

  /** Adds partitions to the open transaction (starting it); those already added are skipped. */
  async addPartitions(partitions: Iterable<{ topic: string; partition: number }>): Promise<void> {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      if (this.added.has(`${topic}\u0000${partition}`)) continue;
      const list = byTopic.get(topic) ?? [];
      if (!list.includes(partition)) list.push(partition);
      byTopic.set(topic, list);
    }
    if (byTopic.size === 0) return;
    const { id, epoch } = this.producerId;
    await this.call('AddPartitionsToTxn', async (conn) => {
      const answer = await conn.send(AddPartitionsToTxnApi.apiKey, ADD_PARTITIONS_VERSION, {
        v3AndBelowTransactionalId: this.opts.transactionalId,
        v3AndBelowProducerId: id,
        v3AndBelowProducerEpoch: epoch,
        v3AndBelowTopics: [...byTopic].map(([name, parts]) => ({ name, partitions: parts })),
      });
      // one error code per partition; the first that is not NONE decides (Kafka answers
      // OPERATION_NOT_ATTEMPTED for the others of a failed request)
      const codes = answer.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
      const failed = codes.find((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED);
      return { errorCode: failed ?? ErrorCode.NONE };
    });
    for (const [topic, parts] of byTopic) for (const p of parts) this.added.add(`${topic}\u0000${p}`);
  }

  /** EndTxn: commits (or aborts) the open transaction; a no-op when it holds no partition. */
  async endTransaction(commit: boolean): Promise<void> {
    if (this.added.size === 0) return;
    const { id, epoch } = this.producerId;
    await this.call('EndTxn', (conn) => conn.send(EndTxnApi.apiKey, END_TXN_VERSION, { transactionalId: this.opts.transactionalId, producerId: id, producerEpoch: epoch, committed: commit }));
    this.added.clear();
  }

  close(): void {
    this.coordinator?.close();
    this.coordinator = null;
  }

  /** Sends a coordinator request until it answers NONE, a non-retriable error, or the deadline passes. */
  private async call<R extends { errorCode: number }>(api: string, send: (conn: KafkaConnection) => Promise<R>): Promise<R> {
    const deadline = Date.now() + (this.opts.requestTimeoutMs ?? 30_000);
    let backoffMs = 50;
    for (;;) {
      let problem: string;
      try {
        const conn = await this.connection();
        const res = await send(conn);
        if (res.errorCode === ErrorCode.NONE) return res;
        if (FENCED.has(res.errorCode)) throw new ProducerFencedError(this.opts.transactionalId, `${api} answered ${errorName(res.errorCode)}`);
        if (REDISCOVER.has(res.errorCode)) this.close();
        else if (!RETRY.has(res.errorCode)) throw new TransactionRequestError(`${api} for transactional.id ${this.opts.transactionalId} failed: ${errorName(res.errorCode)}`);
        problem = `${api} answered ${errorName(res.errorCode)}`;
      } catch (err) {
        if (err instanceof ProducerFencedError || err instanceof TransactionRequestError) throw err;
        this.close();
        problem = `${api}: ${errorMessage(err)}`;
      }
      if (Date.now() + backoffMs > deadline) throw new Error(`${problem} (gave up after ${this.opts.requestTimeoutMs ?? 30_000} ms)`);
      this.opts.logger?.warn(`${problem}; retrying in ${backoffMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 1_000);
    }
  }

  private async connection(): Promise<KafkaConnection> {
    if (this.coordinator?.alive) return this.coordinator;
    this.coordinator = await openCoordinator(this.opts.bootstrap, 'transaction', this.opts.transactionalId, this.opts.clientId ?? 'millrace-transactions');
    return this.coordinator;
  }
}
