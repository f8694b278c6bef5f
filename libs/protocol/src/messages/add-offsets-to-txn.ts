import { defineApi } from '../schema/api';
import { int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** AddOffsetsToTxn (API key 25): versions 0-4, flexible from v3. */
export const AddOffsetsToTxnRequest = struct({
  transactionalId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  groupId: string(),
});

export const AddOffsetsToTxnResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
});

export const AddOffsetsToTxnApi = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  validVersions: [0, 4],
  flexibleFrom: 3,
  request: AddOffsetsToTxnRequest,
  response: AddOffsetsToTxnResponse,
});

export type AddOffsetsToTxnRequestData = Infer<typeof AddOffsetsToTxnRequest>;
export type AddOffsetsToTxnRequestInput = InferInput<typeof AddOffsetsToTxnRequest>;
export type AddOffsetsToTxnResponseData = Infer<typeof AddOffsetsToTxnResponse>;
export type AddOffsetsToTxnResponseInput = InferInput<typeof AddOffsetsToTxnResponse>;
