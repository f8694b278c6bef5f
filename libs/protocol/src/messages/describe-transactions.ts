import { defineApi } from '../schema/api';
import { array, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DescribeTransactions (API key 65, KIP-664): version 0, flexible. */
export const DescribeTransactionsRequest = struct({
  transactionalIds: array(string()),
});

export const DescribeTransactionsResponse = struct({
  throttleTimeMs: int32(),
  transactionStates: array(struct({
    errorCode: int16(),
    transactionalId: string(),
    transactionState: string(),
    transactionTimeoutMs: int32(),
    transactionStartTimeMs: int64(),
    producerId: int64(),
    producerEpoch: int16(),
    topics: array(struct({
      topic: string(),
      partitions: array(int32()),
    })),
  })),
});

export const DescribeTransactionsApi = defineApi({
  apiKey: 65,
  name: 'DescribeTransactions',
  validVersions: [0, 0],
  flexibleFrom: 0,
  request: DescribeTransactionsRequest,
  response: DescribeTransactionsResponse,
});

export type DescribeTransactionsRequestData = Infer<typeof DescribeTransactionsRequest>;
export type DescribeTransactionsRequestInput = InferInput<typeof DescribeTransactionsRequest>;
export type DescribeTransactionsResponseData = Infer<typeof DescribeTransactionsResponse>;
export type DescribeTransactionsResponseInput = InferInput<typeof DescribeTransactionsResponse>;
