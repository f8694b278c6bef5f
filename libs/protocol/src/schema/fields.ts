import { parseVersions, type VersionRange } from './versions';

/**
 * Declarative message-structure DSL.
 *
 * A message is a {@link StructField} built with {@link struct}; its fields are the keys
 * of the object passed to `struct`, and **wire order is object key order**. Every
 * builder takes optional {@link FieldOptions} in the notation of Kafka's message specs:
 *
 * - `versions` (default `"0+"`): versions in which the field exists. In other versions
 *   it decodes to its default and is not encoded.
 * - `nullableVersions`: versions in which null is allowed; its presence adds `| null`
 *   to the field's TypeScript type.
 * - `taggedVersions` + `tag`: in those (flexible) versions the field travels in the
 *   struct's tagged-field section and is only written when it differs from its default.
 * - `default`: value for absent fields; otherwise 0 / false / '' / empty Buffer /
 *   zero UUID / [] / a struct of defaults; `records` default to null.
 *
 * Type-level contracts, used by {@link Infer} and {@link InferInput}:
 * - decoded values always carry every field (`Infer`);
 * - for encoding (`InferInput`), a field may be omitted when it has a `default`, a
 *   `tag`, or `versions` other than `"0+"`; omitted fields encode as their default.
 */
export type FieldKind =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records'
  | 'array'
  | 'struct';

export interface FieldOptions<D> {
  readonly versions?: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: D;
}

/** Runtime description of one field; the type parameters are phantom. */
export interface Field<T, I, Optional extends boolean> {
  readonly kind: FieldKind;
  readonly versions: VersionRange;
  readonly nullableVersions: VersionRange | null;
  readonly taggedVersions: VersionRange | null;
  readonly tag: number | null;
  /** Present only when the definition gave an explicit default. */
  readonly explicitDefault?: { readonly value: unknown };
  /** Element type of an `array`. */
  readonly element?: AnyField;
  /** Fields of a `struct`, in wire order. */
  readonly fields?: Fields;
  /** Phantom carrier of the decoded type, the encode-input type and optionality. */
  readonly __types?: { readonly decoded: T; readonly input: I; readonly optional: Optional };
}

export type AnyField = Field<unknown, unknown, boolean>;
export type Fields = { readonly [name: string]: AnyField };

export type DecodedOf<F> = F extends Field<infer T, unknown, boolean> ? T : never;
export type InputOf<F> = F extends Field<unknown, infer I, boolean> ? I : never;
type OptionalOf<F> = F extends Field<unknown, unknown, infer O> ? O : never;

type Simplify<T> = { [K in keyof T]: T[K] } & unknown;

export type DecodedStruct<F extends Fields> = Simplify<{ -readonly [K in keyof F]: DecodedOf<F[K]> }>;
export type InputStruct<F extends Fields> = Simplify<
  { -readonly [K in keyof F as OptionalOf<F[K]> extends true ? never : K]: InputOf<F[K]> } & {
    -readonly [K in keyof F as OptionalOf<F[K]> extends true ? K : never]?: InputOf<F[K]>;
  }
>;

export type StructField<F extends Fields = Fields, Optional extends boolean = boolean> = Field<
  DecodedStruct<F>,
  InputStruct<F>,
  Optional
> & { readonly kind: 'struct'; readonly fields: F };

/** Fully decoded value of a struct or field: every field present. */
export type Infer<S> = DecodedOf<S>;
/** Value accepted by the encoder: fields with defaults may be omitted. */
export type InferInput<S> = InputOf<S>;

type NoOptions = Readonly<Record<never, never>>;
type NullOf<O> = O extends { readonly nullableVersions: string } ? null : never;
type IsOptional<O> = O extends { readonly default: unknown }
  ? true
  : O extends { readonly tag: number }
    ? true
    : O extends { readonly versions: infer V }
      ? V extends '0+'
        ? false
        : true
      : false;

function make(kind: FieldKind, opts: FieldOptions<unknown> | undefined, extra: Partial<AnyField> = {}): AnyField {
  const o = opts ?? {};
  if ((o.tag === undefined) !== (o.taggedVersions === undefined)) {
    throw new Error('tag and taggedVersions must be given together');
  }
  return {
    kind,
    versions: parseVersions(o.versions ?? '0+'),
    nullableVersions: o.nullableVersions === undefined ? null : parseVersions(o.nullableVersions),
    taggedVersions: o.taggedVersions === undefined ? null : parseVersions(o.taggedVersions),
    tag: o.tag ?? null,
    ...('default' in o ? { explicitDefault: { value: o.default } } : {}),
    ...extra,
  };
}

type Scalar<T, O> = Field<T | NullOf<O>, T | NullOf<O>, IsOptional<O>>;

function scalar<T>(kind: FieldKind) {
  return <const O extends FieldOptions<T | null> = NoOptions>(opts?: O): Scalar<T, O> =>
    make(kind, opts) as Scalar<T, O>;
}

export const int8 = scalar<number>('int8');
export const int16 = scalar<number>('int16');
export const int32 = scalar<number>('int32');
/** int64 as a JS number: exact within ±2^53, which the broker never exceeds. */
export const int64 = scalar<number>('int64');
export const uint16 = scalar<number>('uint16');
export const uint32 = scalar<number>('uint32');
export const float64 = scalar<number>('float64');
export const bool = scalar<boolean>('bool');
/** UUID in Kafka's 22-character URL-safe base64 form. */
export const uuid = scalar<string>('uuid');
export const string = scalar<string>('string');
/** Decoded as a zero-copy view of the frame. */
export const bytes = scalar<Buffer>('bytes');

/**
 * A record set, carried as raw bytes and never parsed here. Always typed
 * `Buffer | null`; nullable in all its versions unless `nullableVersions` says otherwise.
 * Encoded by reference when the writer passes large buffers through.
 */
export function records<const O extends FieldOptions<null> = NoOptions>(
  opts?: O,
): Field<Buffer | null, Buffer | null, IsOptional<O>> {
  const o: FieldOptions<null> = opts ?? {};
  return make('records', { ...o, nullableVersions: o.nullableVersions ?? o.versions ?? '0+' }) as Field<
    Buffer | null,
    Buffer | null,
    IsOptional<O>
  >;
}

/** An array of `element` (a scalar builder result or a struct). Default: []. */
export function array<E extends AnyField, const O extends FieldOptions<null> = NoOptions>(
  element: E,
  opts?: O,
): Field<DecodedOf<E>[] | NullOf<O>, InputOf<E>[] | NullOf<O>, IsOptional<O>> {
  return make('array', opts, { element }) as Field<
    DecodedOf<E>[] | NullOf<O>,
    InputOf<E>[] | NullOf<O>,
    IsOptional<O>
  >;
}

/** A structure; as a message root, or nested as a field (usually tagged). */
export function struct<F extends Fields, const O extends FieldOptions<never> = NoOptions>(
  fields: F,
  opts?: O,
): StructField<F, IsOptional<O>> {
  return make('struct', opts, { fields }) as StructField<F, IsOptional<O>>;
}
