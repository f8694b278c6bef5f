import { ProtocolDecodeError } from './codec/decode-error';
import { Reader } from './codec/reader';
import { Writer } from './codec/writer';
import { ErrorCode } from './errors';
import { API_DEFINITIONS, ApiVersionsApi, type KnownApi } from './messages';
import type { ApiDefinition, RequestInputOf, RequestOf, ResponseInputOf, ResponseOf } from './schema/api';
import { isFlexible, supportsVersion } from './schema/api';
import { decode, encode } from './schema/codec';
import { UnsupportedVersionError } from './unsupported-version-error';

/**
 * Request/response framing.
 *
 * Wire formats (all big-endian):
 * - frame: int32 size, then `size` bytes. Decoders take the frame WITHOUT the size;
 *   encoders return it WITH the size.
 * - request header v1: apiKey int16, apiVersion int16, correlationId int32, clientId
 *   nullable (int16-length) string. v2 (flexible API versions) appends a tagged-field
 *   section; clientId keeps its int16 length even in v2.
 * - response header v0: correlationId int32; v1 (flexible API versions) appends a
 *   tagged-field section. ApiVersions responses always use v0 so that clients can parse
 *   them before version negotiation.
 */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

export type RequestHeaderPeek = Omit<RequestHeader, 'clientId'>;

/**
 * A decoded request, discriminated by the top-level `apiKey`: inside
 * `switch (req.apiKey) { case ProduceApi.apiKey: ... }` the body is typed
 * `ProduceRequestData`. {@link isRequestFor} narrows the same way.
 */
export type DecodedRequest = DecodedRequestOf<KnownApi>;
export type DecodedRequestOf<A extends ApiDefinition> = A extends ApiDefinition<infer K>
  ? {
      readonly apiKey: K;
      readonly header: RequestHeader & { readonly apiKey: K };
      readonly api: A;
      readonly body: RequestOf<A>;
    }
  : never;

/** Definition of a known API by literal key, e.g. `ApiByKey<0>` is the Produce definition. */
export type ApiByKey<K extends number> = Extract<KnownApi, { readonly apiKey: K }>;
export type KnownApiKey = KnownApi['apiKey'];

/** Bytes of the fixed part of every request header (apiKey, apiVersion, correlationId). */
export const REQUEST_HEADER_PEEK_SIZE = 8;

/** Type guard narrowing a decoded request to one API. */
export function isRequestFor<A extends KnownApi>(req: DecodedRequest, api: A): req is DecodedRequestOf<A> & DecodedRequest {
  return req.api === api;
}

/** Reads apiKey, apiVersion, correlationId from the first 8 bytes of a request frame. */
export function peekRequestHeader(frame: Buffer): RequestHeaderPeek {
  if (frame.length < REQUEST_HEADER_PEEK_SIZE) {
    throw new ProtocolDecodeError(`request frame of ${frame.length} bytes is shorter than a header`, frame.length);
  }
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

/** Request header version for a version of an API: 2 when flexible, else 1. */
export function requestHeaderVersion(api: ApiDefinition, apiVersion: number): 1 | 2 {
  return isFlexible(api, apiVersion) ? 2 : 1;
}

/** Response header version: 1 when flexible, else 0; always 0 for ApiVersions. */
export function responseHeaderVersion(api: ApiDefinition, apiVersion: number): 0 | 1 {
  return api.apiKey !== ApiVersionsApi.apiKey && isFlexible(api, apiVersion) ? 1 : 0;
}

function lookup(apiKey: number, apiVersion: number, correlationId: number): ApiDefinition {
  const api = API_DEFINITIONS.get(apiKey);
  if (api === undefined) throw new UnsupportedVersionError('unknown-api', apiKey, apiVersion, correlationId);
  if (!supportsVersion(api, apiVersion)) {
    throw new UnsupportedVersionError('unsupported-version', apiKey, apiVersion, correlationId);
  }
  return api;
}

/**
 * Decodes a request frame (without its size prefix): header, then body per the API's
 * definition. Throws UnsupportedVersionError for an unknown API key or version (the
 * header fields are on the error) and ProtocolDecodeError for malformed bytes. Bytes
 * after the body are ignored. Buffers in the body (records, bytes) alias `frame`.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const peek = peekRequestHeader(frame);
  const api = lookup(peek.apiKey, peek.apiVersion, peek.correlationId);
  const r = new Reader(frame, REQUEST_HEADER_PEEK_SIZE);
  const clientId = r.nullableString();
  const flexible = isFlexible(api, peek.apiVersion);
  if (flexible) r.taggedFields();
  const body = decode(api.request, r, peek.apiVersion, flexible);
  return { apiKey: peek.apiKey, header: { ...peek, clientId }, api, body } as DecodedRequest;
}

/** Options for response encoding. */
export interface EncodeOptions {
  /**
   * `records`/`bytes` values of at least this many bytes are not copied into the
   * header buffer; in `encodeResponseChunks` they are returned by reference.
   * Default 4096.
   */
  readonly passthroughThreshold?: number;
}

function responseWriter(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: unknown,
  options: EncodeOptions,
): Writer {
  const api = API_DEFINITIONS.get(apiKey);
  if (api === undefined || !supportsVersion(api, apiVersion)) {
    throw new RangeError(`cannot encode response for API ${apiKey} v${apiVersion}`);
  }
  const w = new Writer({ initialCapacity: 256, passthroughThreshold: options.passthroughThreshold ?? 4096 });
  w.int32(0);
  w.int32(correlationId);
  if (responseHeaderVersion(api, apiVersion) === 1) w.emptyTaggedFields();
  encode(api.response, w, apiVersion, isFlexible(api, apiVersion), body as ResponseInputOf<ApiDefinition>);
  w.patchInt32(0, w.length - 4);
  return w;
}

/**
 * Encodes a complete response frame, INCLUDING the int32 size prefix, as one Buffer.
 * Large record buffers are copied exactly once, into the returned buffer.
 */
export function encodeResponse<K extends number>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInputOf<ApiByKey<K>>,
  options: EncodeOptions = {},
): Buffer {
  return responseWriter(apiKey, apiVersion, correlationId, body, options).finish();
}

/**
 * Encodes a complete response frame (size prefix included) as ordered chunks for
 * `socket.cork()`/`write()` or `writev`: large `records`/`bytes` buffers appear by
 * reference, never copied. Concatenating the chunks gives `encodeResponse`'s output.
 */
export function encodeResponseChunks<K extends number>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInputOf<ApiByKey<K>>,
  options: EncodeOptions = {},
): Buffer[] {
  return responseWriter(apiKey, apiVersion, correlationId, body, options).finishChunks();
}

/**
 * The response to an ApiVersions request whose version the broker does not support:
 * a v0 body (response header v0) with error UNSUPPORTED_VERSION and the broker's
 * supported ranges (KIP-511: at least the ApiVersions entry), size prefix included.
 */
export function encodeApiVersionsUnsupportedResponse(
  correlationId: number,
  apiKeys: readonly { apiKey: number; minVersion: number; maxVersion: number }[],
): Buffer {
  return encodeResponse(ApiVersionsApi.apiKey, 0, correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: apiKeys.map((k) => ({ ...k })),
  });
}

/**
 * Encodes a request frame (size prefix included): the client side of the codec, used
 * by tests and tooling.
 */
export function encodeRequest<K extends number>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestInputOf<ApiByKey<K>>,
): Buffer {
  const api = lookup(apiKey, apiVersion, correlationId);
  const flexible = isFlexible(api, apiVersion);
  const w = new Writer({ initialCapacity: 256 });
  w.int32(0).int16(apiKey).int16(apiVersion).int32(correlationId).nullableString(clientId);
  if (flexible) w.emptyTaggedFields();
  encode(api.request, w, apiVersion, flexible, body as RequestInputOf<ApiDefinition>);
  w.patchInt32(0, w.length - 4);
  return w.finish();
}

/**
 * Decodes a response frame (without size prefix) of `apiKey`/`apiVersion`: the client
 * side of the codec, used by tests and tooling.
 */
export function decodeResponse<K extends number>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseOf<ApiByKey<K>> } {
  const api = API_DEFINITIONS.get(apiKey);
  if (api === undefined || !supportsVersion(api, apiVersion)) {
    throw new UnsupportedVersionError(api === undefined ? 'unknown-api' : 'unsupported-version', apiKey, apiVersion, -1);
  }
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(api, apiVersion) === 1) r.taggedFields();
  const body = decode(api.response, r, apiVersion, isFlexible(api, apiVersion));
  return { correlationId, body: body as ResponseOf<ApiByKey<K>> };
}
