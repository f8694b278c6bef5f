import { randomBytes } from 'node:crypto';
import { ProtocolDecodeError } from '../codec/decode-error';
import { Reader } from '../codec/reader';
import { Writer } from '../codec/writer';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeResponseChunks } from '../header';
import { isFlexible, type ApiDefinition } from '../schema/api';
import { decode, encode } from '../schema/codec';
import { defaultValue } from '../schema/defaults';
import type { AnyField, StructField } from '../schema/fields';
import { inVersions } from '../schema/versions';
import { ALL_APIS, API_DEFINITIONS } from './index';

/**
 * A populated value for `field` at `version`: every field present in the version gets
 * a non-default value (nullable ones get null when `nulls`), absent ones their default
 * — i.e. exactly what decoding the encoded value must return.
 */
function sample(field: AnyField, version: number, nulls: boolean, depth = 0): unknown {
  if (nulls && inVersions(field.nullableVersions, version)) return null;
  switch (field.kind) {
    case 'int8':
      return -7;
    case 'int16':
      return 300 + depth;
    case 'int32':
      return -70000 - depth;
    case 'int64':
      return 2 ** 40 + 5;
    case 'uint16':
      return 65000;
    case 'uint32':
      return 4000000000;
    case 'float64':
      return 1.5;
    case 'bool':
      return true;
    case 'uuid':
      return randomBytes(16).toString('base64url');
    case 'string':
      return `héllo-${depth}`;
    case 'bytes':
      return Buffer.from([1, 2, 3, depth]);
    case 'records':
      return randomBytes(64);
    case 'array': {
      const element = field.element as AnyField;
      return [0, 1].map(() => (element.kind === 'struct' ? structSample(element, version, nulls, depth + 1) : sample(element, version, nulls, depth + 1)));
    }
    case 'struct':
      return structSample(field, version, nulls, depth + 1);
  }
}

function structSample(field: AnyField, version: number, nulls: boolean, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(field.fields ?? {})) {
    o[name] = inVersions(f.versions, version) ? sample(f, version, nulls, depth) : defaultValue(f);
  }
  return o;
}

/** Lengths of the proper prefixes of `frame` that `decodeFn` did not reject with ProtocolDecodeError. */
function prefixesNotRejected(frame: Buffer, decodeFn: (b: Buffer) => unknown): string[] {
  const bad: string[] = [];
  for (let i = 0; i < frame.length; i++) {
    try {
      decodeFn(frame.subarray(0, i));
      bad.push(`${i}: decoded`);
    } catch (e) {
      if (!(e instanceof ProtocolDecodeError)) bad.push(`${i}: ${String(e)}`);
    }
  }
  return bad;
}

const cases: [string, ApiDefinition, number][] = [];
for (const api of ALL_APIS) {
  for (let v = api.validVersions[0]; v <= api.validVersions[1]; v++) cases.push([api.name, api, v]);
}

function roundTrip(schema: StructField, version: number, flexible: boolean, value: Record<string, unknown>): Buffer {
  const w = new Writer({ initialCapacity: 8 });
  encode(schema, w, version, flexible, value);
  const bytes = Buffer.from(w.finish());
  const r = new Reader(bytes);
  expect(decode(schema, r, version, flexible)).toEqual(value);
  expect(r.remaining).toBe(0);
  return bytes;
}

describe('every API definition round-trips at every version', () => {
  it('covers the required API keys', () => {
    expect([...API_DEFINITIONS.keys()].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 32, 33, 35, 36, 37, 42,
      43, 44, 45, 46, 47, 60, 65, 66,
    ]);
  });

  it.each(cases)('%s v%d', (_name, api, version) => {
    const flexible = isFlexible(api, version);
    for (const nulls of [false, true]) {
      const req = structSample(api.request, version, nulls, 0);
      const res = structSample(api.response, version, nulls, 0);
      roundTrip(api.request, version, flexible, req);
      roundTrip(api.response, version, flexible, res);

      const reqFrame = encodeRequest(api.apiKey, version, 42, 'client-x', req as never);
      expect(reqFrame.readInt32BE(0)).toBe(reqFrame.length - 4);
      const decoded = decodeRequest(reqFrame.subarray(4));
      expect(decoded.header).toEqual({ apiKey: api.apiKey, apiVersion: version, correlationId: 42, clientId: 'client-x' });
      expect(decoded.api).toBe(api);
      expect(decoded.body).toEqual(req);

      const resFrame = encodeResponse(api.apiKey, version, 43, res as never);
      expect(resFrame.readInt32BE(0)).toBe(resFrame.length - 4);
      const chunks = encodeResponseChunks(api.apiKey, version, 43, res as never, { passthroughThreshold: 16 });
      expect(Buffer.concat(chunks)).toEqual(resFrame);
      expect(decodeResponse(api.apiKey, version, resFrame.subarray(4))).toEqual({ correlationId: 43, body: res });
    }
  });

  it.each(cases)('%s v%d: every truncated request/response throws ProtocolDecodeError', (_name, api, version) => {
    const req = structSample(api.request, version, false, 0);
    const res = structSample(api.response, version, false, 0);
    const reqFrame = encodeRequest(api.apiKey, version, 1, 'c', req as never).subarray(4);
    const resFrame = encodeResponse(api.apiKey, version, 1, res as never).subarray(4);
    expect(prefixesNotRejected(reqFrame, (b) => decodeRequest(b))).toEqual([]);
    expect(prefixesNotRejected(resFrame, (b) => decodeResponse(api.apiKey, version, b))).toEqual([]);
  });
});
