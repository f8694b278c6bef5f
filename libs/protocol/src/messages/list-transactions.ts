import { defineApi } from '../schema/api';
import { array, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** ListTransactions (API key 66, KIP-664; v1 adds DurationFilter, KIP-994): versions 0-1, flexible. */
export const ListTransactionsRequest = struct({
  stateFilters: array(string()),
  producerIdFilters: array(int64()),
  durationFilter: int64({ versions: '1+', default: -1 }),
});

export const ListTransactionsResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  unknownStateFilters: array(string()),
  transactionStates: array(struct({
    transactionalId: string(),
    producerId: int64(),
    transactionState: string(),
  })),
});

export const ListTransactionsApi = defineApi({
  apiKey: 66,
  name: 'ListTransactions',
  validVersions: [0, 1],
  flexibleFrom: 0,
  request: ListTransactionsRequest,
  response: ListTransactionsResponse,
});

export type ListTransactionsRequestData = Infer<typeof ListTransactionsRequest>;
export type ListTransactionsRequestInput = InferInput<typeof ListTransactionsRequest>;
export type ListTransactionsResponseData = Infer<typeof ListTransactionsResponse>;
export type ListTransactionsResponseInput = InferInput<typeof ListTransactionsResponse>;
