import { Reader } from '../codec/reader';
import { Writer } from '../codec/writer';
import { decode, encode } from '../schema/codec';
import type { Infer, InferInput, StructField } from '../schema/fields';

/**
 * The framing Kafka uses for bytes it embeds in other messages or stores in its internal
 * topics (the consumer protocol's subscriptions and assignments, the `__consumer_offsets`
 * keys and values):
 *
 *   [0..2)  int16  version
 *   [2.. )         the struct at that version, classic (non-flexible) encoding
 *
 * Which versions are accepted, and how a version maps to a layout, is the caller's
 * policy; these helpers only frame and unframe.
 */

/** Encodes `value` as `schema` at `version` behind its int16 version; returns a buffer of its own. */
export function encodeVersionedStruct<S extends StructField>(schema: S, version: number, value: InferInput<S>): Buffer {
  const w = new Writer({ initialCapacity: 128 });
  w.int16(version);
  encode(schema, w, version, false, value);
  return Buffer.from(w.finish());
}

/** The int16 version at the start of `data`. Throws ProtocolDecodeError when `data` is shorter. */
export function readStructVersion(data: Buffer): number {
  return new Reader(data).int16();
}

/**
 * Decodes `data` framed as above. `layoutVersion` maps the stored version to the layout
 * to read it with, or throws ProtocolDecodeError for a version the caller rejects.
 * Bytes after the struct are ignored. `bytes` fields are views into `data`.
 */
export function decodeVersionedStruct<S extends StructField>(
  schema: S,
  data: Buffer,
  layoutVersion: (version: number) => number,
): { version: number; value: Infer<S> } {
  const r = new Reader(data);
  const version = r.int16();
  return { version, value: decode(schema, r, layoutVersion(version), false) };
}
