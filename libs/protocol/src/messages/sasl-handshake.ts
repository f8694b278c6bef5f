import { defineApi } from '../schema/api';
import { array, int16, string, struct, type Infer, type InferInput } from '../schema/fields';

/** SaslHandshake (API key 17): versions 0-1, flexible never. */
export const SaslHandshakeRequest = struct({
  mechanism: string(),
});

export const SaslHandshakeResponse = struct({
  errorCode: int16(),
  mechanisms: array(string()),
});

export const SaslHandshakeApi = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  validVersions: [0, 1],
  flexibleFrom: null,
  request: SaslHandshakeRequest,
  response: SaslHandshakeResponse,
});

export type SaslHandshakeRequestData = Infer<typeof SaslHandshakeRequest>;
export type SaslHandshakeRequestInput = InferInput<typeof SaslHandshakeRequest>;
export type SaslHandshakeResponseData = Infer<typeof SaslHandshakeResponse>;
export type SaslHandshakeResponseInput = InferInput<typeof SaslHandshakeResponse>;
