import { defineApi } from '../schema/api';
import { bytes, int16, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** SaslAuthenticate (API key 36): versions 0-2, flexible from v2. */
export const SaslAuthenticateRequest = struct({
  authBytes: bytes(),
});

export const SaslAuthenticateResponse = struct({
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+' }),
  authBytes: bytes(),
  sessionLifetimeMs: int64({ versions: '1+', default: 0 }),
});

export const SaslAuthenticateApi = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  validVersions: [0, 2],
  flexibleFrom: 2,
  request: SaslAuthenticateRequest,
  response: SaslAuthenticateResponse,
});

export type SaslAuthenticateRequestData = Infer<typeof SaslAuthenticateRequest>;
export type SaslAuthenticateRequestInput = InferInput<typeof SaslAuthenticateRequest>;
export type SaslAuthenticateResponseData = Infer<typeof SaslAuthenticateResponse>;
export type SaslAuthenticateResponseInput = InferInput<typeof SaslAuthenticateResponse>;
