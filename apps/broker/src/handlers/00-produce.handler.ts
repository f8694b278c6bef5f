import { Injectable } from '@nestjs/common';
import { ErrorCode, ProduceApi, type ProduceRequestData, type ProduceResponseInput } from '@millrace/protocol';
import * as protocol from '@millrace/protocol';
import { INTERNAL_TOPICS } from '../metadata/topic-name';
import { ReplicaManager } from '../partition/replica-manager';
import { failedAppendOutcome, type AppendOutcome } from '../partition/partition-types';
import { TransactionCoordinator } from '../transaction-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

// Bound once: through the package index every use would be a getter call.
const { ATTRIBUTES_OFFSET, BATCH_HEADER_SIZE, isTransactional } = protocol;
const MAGIC_OFFSET = 16;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;

type PartitionResponse = ProduceResponseInput['responses'][number]['partitionResponses'][number];

/**
 * Produce (0), v0-7. Only magic-2 record batches are stored: a v0-2 request carrying the
 * old message formats (magic 0/1) gets UNSUPPORTED_FOR_MESSAGE_FORMAT per partition.
 * The range still starts at 0 because librdkafka (<= 2.11.0) enables gzip, snappy and
 * lz4 only when the broker advertises Produce v0, as Kafka 3.x does; clients that see
 * v3+ send magic-2 batches.
 *
 * Ordering contract: every partition's append is started synchronously, in request
 * order, before this handler awaits anything, so pipelined produce requests of one
 * connection reach each partition's log in the order they were sent.
 * acks=0 sends no response; acks=1 answers once the records are appended as durably as
 * the topic's flush settings require; acks=-1 the same on one broker (the ISR is
 * itself), and in a cluster once every in-sync replica holds them (ReplicaManager).
 *
 * Transactions: a request with a transactionalId is accepted for a partition only when
 * the producer id and epoch of its (first) batch are the id's current ones and the
 * partition was added to its open transaction (TransactionCoordinator.verifyProduce);
 * a transactional batch without a transactionalId is refused (it could never get a
 * marker and would hold the last stable offset back forever). Only the batch header is
 * read, once per partition.
 */
@Injectable()
export class ProduceHandler implements ApiHandler<typeof ProduceApi> {
  readonly api = ProduceApi;
  readonly minVersion = 0;
  readonly maxVersion = 7;

  constructor(
    private readonly replicas: ReplicaManager,
    private readonly txns: TransactionCoordinator,
  ) {}

  async handle(request: ProduceRequestData, _context: RequestContext): Promise<ProduceResponseInput | null> {
    const acks = request.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const pending: { name: string; index: number; outcome: Promise<AppendOutcome> }[] = [];
    for (const topic of request.topicData) {
      for (const p of topic.partitionData) {
        const outcome = !validAcks
          ? Promise.resolve(failedAppendOutcome(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${acks}`))
          : INTERNAL_TOPICS.has(topic.name)
              ? Promise.resolve(failedAppendOutcome(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic.name}`))
              : this.appendChecked(request, topic.name, p.index, p.records);
        pending.push({ name: topic.name, index: p.index, outcome });
      }
    }
    const outcomes = await Promise.all(pending.map((p) => p.outcome));
    if (acks === 0) return null;
    const byTopic = new Map<string, PartitionResponse[]>();
    pending.forEach((p, i) => {
      const o = outcomes[i];
      let list = byTopic.get(p.name);
      if (!list) byTopic.set(p.name, (list = []));
      list.push({
        index: p.index,
        errorCode: o.errorCode,
        baseOffset: o.baseOffset,
        logAppendTimeMs: o.logAppendTimeMs,
        logStartOffset: o.logStartOffset,
        recordErrors: o.recordErrors,
        errorMessage: o.errorMessage,
      });
    });
    return { responses: [...byTopic].map(([name, partitionResponses]) => ({ name, partitionResponses })), throttleTimeMs: 0 };
  }

  /** The transactional checks (see the class comment), then the append. Synchronous up to the append. */
  private appendChecked(request: ProduceRequestData, topic: string, partition: number, records: Buffer | null): Promise<AppendOutcome> {
    const transactionalId = request.transactionalId;
    // Magic 2 only (byte 16); older formats are refused by the log with their own error.
    if (records !== null && records.length >= BATCH_HEADER_SIZE && records[MAGIC_OFFSET] === 2) {
      const transactional = isTransactional(records.readInt16BE(ATTRIBUTES_OFFSET));
      if (transactionalId !== null) {
        const code = transactional
          ? this.txns.verifyProduce(transactionalId, Number(records.readBigInt64BE(PRODUCER_ID_OFFSET)), records.readInt16BE(PRODUCER_EPOCH_OFFSET), topic, partition)
          : ErrorCode.INVALID_RECORD;
        if (code !== ErrorCode.NONE) return Promise.resolve(failedAppendOutcome(code, transactional ? `transactional produce to ${topic}-${partition} refused: ${ErrorCode[code]}` : 'a request with a transactionalId must carry transactional batches'));
      } else if (transactional) {
        return Promise.resolve(failedAppendOutcome(ErrorCode.INVALID_RECORD, 'transactional batches need the request to carry their transactionalId'));
      }
    }
    return this.replicas.appendRecords(topic, partition, records, request.acks, request.timeoutMs);
  }
}
