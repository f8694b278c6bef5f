import { defineApi } from '../schema/api';
import { bool, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** EndTxn (API key 26): versions 0-4, flexible from v3. */
export const EndTxnRequest = struct({
  transactionalId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  committed: bool(),
});

export const EndTxnResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
});

export const EndTxnApi = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  validVersions: [0, 4],
  flexibleFrom: 3,
  request: EndTxnRequest,
  response: EndTxnResponse,
});

export type EndTxnRequestData = Infer<typeof EndTxnRequest>;
export type EndTxnRequestInput = InferInput<typeof EndTxnRequest>;
export type EndTxnResponseData = Infer<typeof EndTxnResponse>;
export type EndTxnResponseInput = InferInput<typeof EndTxnResponse>;
