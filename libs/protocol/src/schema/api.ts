import type { Infer, InferInput, StructField } from './fields';

/**
 * One Kafka API: its key, name, supported version range (inclusive, the full
 * `validVersions` of the Kafka 3.8 spec) and first flexible version (null when no
 * version is flexible). Request and response share versions and flexibility.
 */
export interface ApiDefinition<
  K extends number = number,
  Req extends StructField = StructField,
  Res extends StructField = StructField,
> {
  readonly apiKey: K;
  readonly name: string;
  readonly validVersions: readonly [min: number, max: number];
  readonly flexibleFrom: number | null;
  readonly request: Req;
  readonly response: Res;
}

/** Decoded request body of an API definition. */
export type RequestOf<A> = A extends ApiDefinition<number, infer Req, StructField> ? Infer<Req> : never;
/** Decoded response body of an API definition. */
export type ResponseOf<A> = A extends ApiDefinition<number, StructField, infer Res> ? Infer<Res> : never;
/** Response body accepted by the encoder (defaulted fields optional). */
export type ResponseInputOf<A> = A extends ApiDefinition<number, StructField, infer Res> ? InferInput<Res> : never;
/** Request body accepted by the encoder (used by clients and tests). */
export type RequestInputOf<A> = A extends ApiDefinition<number, infer Req, StructField> ? InferInput<Req> : never;

export function defineApi<const K extends number, Req extends StructField, Res extends StructField>(
  def: ApiDefinition<K, Req, Res>,
): ApiDefinition<K, Req, Res> {
  const [min, max] = def.validVersions;
  if (min > max) throw new Error(`${def.name}: empty version range`);
  return Object.freeze(def);
}

export function isFlexible(api: ApiDefinition, version: number): boolean {
  return api.flexibleFrom !== null && version >= api.flexibleFrom;
}

export function supportsVersion(api: ApiDefinition, version: number): boolean {
  return version >= api.validVersions[0] && version <= api.validVersions[1];
}
