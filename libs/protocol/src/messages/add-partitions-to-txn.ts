import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** AddPartitionsToTxn (API key 24): versions 0-5, flexible from v3. */
export const AddPartitionsToTxnRequest = struct({
  transactions: array(struct({
    transactionalId: string(),
    producerId: int64(),
    producerEpoch: int16(),
    verifyOnly: bool({ default: false }),
    topics: array(struct({
      name: string(),
      partitions: array(int32()),
    })),
  }), { versions: '4+' }),
  v3AndBelowTransactionalId: string({ versions: '0-3' }),
  v3AndBelowProducerId: int64({ versions: '0-3' }),
  v3AndBelowProducerEpoch: int16({ versions: '0-3' }),
  v3AndBelowTopics: array(struct({
    name: string(),
    partitions: array(int32()),
  }), { versions: '0-3' }),
});

export const AddPartitionsToTxnResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16({ versions: '4+' }),
  resultsByTransaction: array(struct({
    transactionalId: string(),
    topicResults: array(struct({
      name: string(),
      resultsByPartition: array(struct({
        partitionIndex: int32(),
        partitionErrorCode: int16(),
      })),
    })),
  }), { versions: '4+' }),
  resultsByTopicV3AndBelow: array(struct({
    name: string(),
    resultsByPartition: array(struct({
      partitionIndex: int32(),
      partitionErrorCode: int16(),
    })),
  }), { versions: '0-3' }),
});

export const AddPartitionsToTxnApi = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  validVersions: [0, 5],
  flexibleFrom: 3,
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
});

export type AddPartitionsToTxnRequestData = Infer<typeof AddPartitionsToTxnRequest>;
export type AddPartitionsToTxnRequestInput = InferInput<typeof AddPartitionsToTxnRequest>;
export type AddPartitionsToTxnResponseData = Infer<typeof AddPartitionsToTxnResponse>;
export type AddPartitionsToTxnResponseInput = InferInput<typeof AddPartitionsToTxnResponse>;
