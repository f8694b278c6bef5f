import { Injectable } from '@nestjs/common';
import { ErrorCode, ProduceApi, type ProduceRequestData, type ProduceResponseInput } from '@millrace/protocol';
import { INTERNAL_TOPICS } from '../metadata/topic-name';
import { ReplicaManager } from '../partition/replica-manager';
import { failedAppendOutcome, type AppendOutcome } from '../partition/partition-types';
import type { ApiHandler, RequestContext } from './api-handler';

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
 * acks=0 sends no response; acks=1 and acks=-1 answer once the records are appended
 * as durably as the topic's flush settings require (one broker: the ISR is itself).
 */
@Injectable()
export class ProduceHandler implements ApiHandler<typeof ProduceApi> {
  readonly api = ProduceApi;
  readonly minVersion = 0;
  readonly maxVersion = 7;

  constructor(private readonly replicas: ReplicaManager) {}

  async handle(request: ProduceRequestData, _context: RequestContext): Promise<ProduceResponseInput | null> {
    const acks = request.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const pending: { name: string; index: number; outcome: Promise<AppendOutcome> }[] = [];
    for (const topic of request.topicData) {
      for (const p of topic.partitionData) {
        const outcome = !validAcks
          ? Promise.resolve(failedAppendOutcome(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${acks}`))
          : request.transactionalId !== null
            ? Promise.resolve(failedAppendOutcome(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported yet'))
            : INTERNAL_TOPICS.has(topic.name)
              ? Promise.resolve(failedAppendOutcome(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic.name}`))
              : this.replicas.appendRecords(topic.name, p.index, p.records);
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
}
