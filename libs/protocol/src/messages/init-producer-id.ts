import { defineApi } from '../schema/api';
import { int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** InitProducerId (API key 22): versions 0-5, flexible from v2. */
export const InitProducerIdRequest = struct({
  transactionalId: string({ nullableVersions: '0+' }),
  transactionTimeoutMs: int32(),
  producerId: int64({ versions: '3+', default: -1 }),
  producerEpoch: int16({ versions: '3+', default: -1 }),
});

export const InitProducerIdResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  producerId: int64({ default: -1 }),
  producerEpoch: int16(),
});

export const InitProducerIdApi = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: [0, 5],
  flexibleFrom: 2,
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
});

export type InitProducerIdRequestData = Infer<typeof InitProducerIdRequest>;
export type InitProducerIdRequestInput = InferInput<typeof InitProducerIdRequest>;
export type InitProducerIdResponseData = Infer<typeof InitProducerIdResponse>;
export type InitProducerIdResponseInput = InferInput<typeof InitProducerIdResponse>;
