import { bytesToDecimal, ConverterError, DATE_LOGICAL, DECIMAL_LOGICAL, hasRawAvroValue, TIME_LOGICAL, TIMESTAMP_LOGICAL, type AvroSchema, type ConnectSchema, type RawAvroSchema, type SinkRecord } from '@millrace/connect-sdk';
import { columnValue, type SinkColumn } from '@millrace/sink-rows';
import { CopyOut, type CopyRows } from './copy-buffer';
import { copyTextValue } from './copy-text';
import type { SinkDialect } from './dialect';

/**
 * The direct path from Avro binary to COPY text (copy-text.ts): for records whose values
 * are still the consumed Avro bytes (SinkRecord.rawValue), each value is decoded straight
 * into the COPY bytes of its fields (copy-buffer.ts), with no avsc object, Connect value,
 * bind-value row or per-field string in between. A decoder is compiled once per (writer
 * schema id, column list) and cached.
 *
 * Contract: a row is byte for byte the UTF-8 of what `encodeCopyRows(sqlRow(dialect,
 * columns, r))` gives for the decoded record (avro-copy-rows.spec.ts proves it on
 * generated records): the same Connect values (avro-value-mapping.ts: Decimal from two's
 * complement bytes at the schema's scale, Date/Time/Timestamp from days/ms, int64 with
 * all 64 bits) and the same `SinkDialect.toSqlValue` for every named schema. Covered: a
 * writer schema that is a record of boolean, int, long, float, double, string and bytes
 * fields, each possibly a union with null; columns taken from value fields (key and
 * Kafka-coordinate columns go through columnValue as usual). Anything else (enums, fixed,
 * nested types, another union) makes `rows` return null: the caller takes the general
 * path. Bad data throws ConverterError, as decoding would.
 */
/** Bound once: each use of a package-index import is a getter call under CommonJS (once per record here). */
const HAS_RAW: typeof hasRawAvroValue = hasRawAvroValue;

export class AvroCopyRows {
  private readonly plans = new WeakMap<RawAvroSchema, Map<readonly SinkColumn[], RowPlan | null>>();

  constructor(private readonly dialect: SinkDialect) {}

  /**
   * The COPY rows of `records` in `columns` order, with the key text of each when
   * `keyWidth` > 0 (its first `keyWidth` columns), or null when the direct path does not
   * cover them.
   */
  rows(records: readonly SinkRecord[], columns: readonly SinkColumn[], keyWidth = 0): CopyRows | null {
    let bytes = 0;
    for (const r of records) {
      if (!HAS_RAW(r)) return null;
      bytes += (r.rawValue as Buffer).length;
    }
    const out = new CopyOut(bytes * 2 + records.length * 16);
    const ends = new Uint32Array(records.length);
    const keyEnds = keyWidth > 0 ? new Uint32Array(records.length) : null;
    let plan: RowPlan | null = null;
    let planSchema: RawAvroSchema | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const schema = r.rawSchema as RawAvroSchema;
      if (schema !== planSchema) {
        plan = this.planFor(schema, columns);
        planSchema = schema;
        if (plan === null) return null;
      }
      const keyEnd = (plan as RowPlan).write(r, out, keyWidth);
      ends[i] = out.pos;
      if (keyEnds !== null) keyEnds[i] = keyEnd;
    }
    return { count: records.length, data: out.buf.subarray(0, out.pos), ends, keyEnds };
  }

  private planFor(schema: RawAvroSchema, columns: readonly SinkColumn[]): RowPlan | null {
    let byColumns = this.plans.get(schema);
    if (!byColumns) {
      byColumns = new Map();
      this.plans.set(schema, byColumns);
    }
    let plan = byColumns.get(columns);
    if (plan === undefined) {
      plan = compilePlan(this.dialect, schema, columns);
      if (byColumns.size >= 16) byColumns.clear();
      byColumns.set(columns, plan);
    }
    return plan;
  }
}

/** Read position in one framed value. */
interface Tap {
  buf: Buffer;
  pos: number;
}

/** Reads one field at the tap and appends its COPY text to `out`. */
type FieldWriter = (tap: Tap, out: CopyOut) => void;

const NULL_TEXT = '\\N';
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const UINT64 = (1n << 64n) - 1n;
const MS_PER_DAY = 86_400_000;
const TAB = 0x09;
const NEWLINE = 0x0a;

class RowPlan {
  private readonly tap: Tap = { buf: Buffer.alloc(0), pos: 0 };
  /** Columns are the value fields in their order: fields are written straight to the output. */
  private readonly inOrder: boolean;
  /** Otherwise each field is written here first, then copied in column order. */
  private readonly scratch = new CopyOut(1024);
  private readonly fieldEnds: Uint32Array;

  constructor(
    private readonly dialect: SinkDialect,
    private readonly schemaId: number,
    private readonly fields: readonly FieldWriter[],
    /** Per column: the index of its value field, or -1 (computed from the record by columnValue). */
    private readonly sources: readonly number[],
    private readonly columns: readonly SinkColumn[],
  ) {
    this.inOrder = sources.length === fields.length && sources.every((s, i) => s === i);
    this.fieldEnds = new Uint32Array(fields.length);
  }

  /** Appends the COPY row of `record` (with its newline) to `out`; returns where its first `keyWidth` columns end. */
  write(record: SinkRecord, out: CopyOut, keyWidth: number): number {
    const tap = this.tap;
    const buf = record.rawValue as Buffer;
    tap.buf = buf;
    tap.pos = 5;
    const fields = this.fields;
    const sources = this.sources;
    let keyEnd = -1;
    try {
      if (this.inOrder) {
        for (let i = 0; i < fields.length; i++) {
          if (i === keyWidth) keyEnd = out.pos - 1;
          fields[i](tap, out);
          out.byte(i === fields.length - 1 ? NEWLINE : TAB);
        }
      } else {
        const scratch = this.scratch;
        scratch.pos = 0;
        for (let i = 0; i < fields.length; i++) {
          fields[i](tap, scratch);
          this.fieldEnds[i] = scratch.pos;
        }
      }
    } catch (e) {
      throw e instanceof ConverterError ? e : new ConverterError(`Failed to deserialize Avro data: cannot decode a value of schema id ${this.schemaId}: ${(e as Error).message}`, { cause: e });
    }
    if (tap.pos !== buf.length) throw new ConverterError(`Failed to deserialize Avro data: a value of schema id ${this.schemaId} is ${tap.pos > buf.length ? 'truncated' : 'followed by trailing data'}`);
    if (this.inOrder) return keyEnd < 0 ? out.pos - 1 : keyEnd;
    for (let c = 0; c < sources.length; c++) {
      if (c === keyWidth) keyEnd = out.pos - 1;
      const s = sources[c];
      if (s >= 0) {
        const start = s === 0 ? 0 : this.fieldEnds[s - 1];
        const end = this.fieldEnds[s];
        out.ensure(end - start);
        out.pos += this.scratch.buf.copy(out.buf, out.pos, start, end);
      } else {
        const column = this.columns[c];
        out.text(copyTextValue(this.dialect.toSqlValue(columnValue(column, record), column.schema)));
      }
      out.byte(c === sources.length - 1 ? NEWLINE : TAB);
    }
    return keyEnd < 0 ? out.pos - 1 : keyEnd;
  }
}

function compilePlan(dialect: SinkDialect, schema: RawAvroSchema, columns: readonly SinkColumn[]): RowPlan | null {
  const avro = schema.avro;
  const connectFields = schema.connect.type === 'struct' ? (schema.connect.fields ?? []) : null;
  if (connectFields === null || typeof avro !== 'object' || Array.isArray(avro) || avro.type !== 'record' || !Array.isArray(avro.fields)) return null;
  const avroFields = avro.fields as { name?: unknown; type?: AvroSchema }[];
  if (avroFields.length !== connectFields.length) return null;
  if (columns.length === 0) return null;
  const fields: FieldWriter[] = [];
  for (let i = 0; i < avroFields.length; i++) {
    if (avroFields[i].name !== connectFields[i].name || avroFields[i].type === undefined) return null;
    const reader = fieldWriter(dialect, avroFields[i].type as AvroSchema, connectFields[i].schema);
    if (reader === null) return null;
    fields.push(reader);
  }
  const sources: number[] = [];
  for (const column of columns) {
    if (column.source.kind !== 'value') {
      sources.push(-1);
      continue;
    }
    const name = column.source.field;
    const at = connectFields.findIndex((f) => f.name === name);
    if (at < 0 || connectFields[at].schema !== column.schema) return null;
    sources.push(at);
  }
  return new RowPlan(dialect, schema.id, fields, sources, columns);
}

type Primitive = 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes';
const PRIMITIVE_OF: Readonly<Record<string, Primitive>> = { boolean: 'boolean', int: 'int', long: 'long', float: 'float', double: 'double', string: 'string', bytes: 'bytes' };
/** The Connect types each Avro primitive decodes to (avro-to-connect-schema.ts). */
const CONNECT_TYPES: Readonly<Record<Primitive, readonly string[]>> = {
  boolean: ['boolean'],
  int: ['int8', 'int16', 'int32'],
  long: ['int64'],
  float: ['float32'],
  double: ['float64'],
  string: ['string'],
  bytes: ['bytes'],
};

/** The primitive of a field type (a name or `{type: name, ...}`), or null for anything else. */
function primitiveOf(type: AvroSchema): Primitive | null {
  if (typeof type === 'string') return PRIMITIVE_OF[type] ?? null;
  if (typeof type === 'object' && !Array.isArray(type) && typeof type.type === 'string') return PRIMITIVE_OF[type.type] ?? null;
  return null;
}

/** The COPY-text writer of one field, or null when the direct path does not cover its type. */
function fieldWriter(dialect: SinkDialect, type: AvroSchema, connect: ConnectSchema): FieldWriter | null {
  let nullIndex = -1;
  let primitive: Primitive | null;
  if (Array.isArray(type)) {
    if (type.length !== 2) return null;
    nullIndex = type[0] === 'null' ? 0 : type[1] === 'null' ? 1 : -1;
    if (nullIndex < 0) return null;
    primitive = primitiveOf(type[1 - nullIndex]);
  } else {
    primitive = primitiveOf(type);
  }
  if (primitive === null || !CONNECT_TYPES[primitive].includes(connect.type)) return null;
  const present = presentWriter(dialect, primitive, connect);
  if (present === null) return null;
  if (nullIndex < 0) return present;
  const valueIndex = 1 - nullIndex;
  return (tap, out) => {
    const branch = readInt(tap);
    if (branch === nullIndex) out.text(NULL_TEXT);
    else if (branch === valueIndex) present(tap, out);
    else throw new ConverterError(`Failed to deserialize Avro data: invalid union index ${branch}`);
  };
}

/** The writer of a present value: the Connect value (avro-value-mapping.ts) through toSqlValue and copyTextValue, specialised where those are the identity. */
function presentWriter(dialect: SinkDialect, primitive: Primitive, connect: ConnectSchema): FieldWriter | null {
  const named = connect.name !== undefined;
  const sql = (value: unknown, out: CopyOut): void => out.text(copyTextValue(dialect.toSqlValue(value, connect)));
  switch (primitive) {
    case 'boolean':
      return named ? (tap, out) => sql(tap.buf[tap.pos++] !== 0, out) : (tap, out) => out.byte(tap.buf[tap.pos++] !== 0 ? 0x74 : 0x66);
    case 'int':
      if (connect.name === DATE_LOGICAL && connect.type === 'int32') return (tap, out) => sql(new Date(readInt(tap) * MS_PER_DAY), out);
      if (connect.name === TIME_LOGICAL && connect.type === 'int32') return (tap, out) => sql(new Date(readInt(tap)), out);
      return named ? (tap, out) => sql(readInt(tap), out) : (tap, out) => out.int(readInt(tap));
    case 'long':
      if (connect.name === TIMESTAMP_LOGICAL) return (tap, out) => sql(new Date(Number(readLong(tap))), out);
      return named
        ? (tap, out) => sql(readLong(tap), out)
        : (tap, out) => {
            const v = readLong(tap);
            if (typeof v === 'number') out.int(v);
            else out.text(v.toString());
          };
    case 'float':
      return named ? (tap, out) => sql(readFixedNumber(tap, 4), out) : (tap, out) => out.text(String(readFixedNumber(tap, 4)));
    case 'double':
      return named ? (tap, out) => sql(readFixedNumber(tap, 8), out) : (tap, out) => out.text(String(readFixedNumber(tap, 8)));
    case 'string':
      return named && !dialect.keepsStrings(connect)
        ? (tap, out) => sql(readString(tap), out)
        : (tap, out) => {
            const pos = skipLength(tap);
            out.utf8(tap.buf, pos, tap.pos);
          };
    case 'bytes': {
      if (connect.name === DECIMAL_LOGICAL) {
        const scale = staticScale(connect);
        if (scale === null) return null;
        // toSqlValue and copyTextValue keep decimal text as it is
        return (tap, out) => out.text(decimalText(tap, scale));
      }
      return named
        ? (tap, out) => sql(readBytes(tap), out)
        : (tap, out) => {
            const pos = skipLength(tap);
            out.hex(tap.buf, pos, tap.pos);
          };
    }
  }
}

/** A Decimal's scale parameter (as the SDK reads it), or null when it is invalid (the general path then reports it). */
function staticScale(schema: ConnectSchema): number | null {
  const raw = schema.parameters?.scale;
  if (raw === undefined) return 0;
  const n = Number(raw);
  return Number.isInteger(n) ? n : null;
}

/** An Avro int (zig-zag varint), as avsc reads it; also lengths and union indexes. */
function readInt(tap: Tap): number {
  const buf = tap.buf;
  let n = 0;
  let k = 0;
  let b: number;
  do {
    b = buf[tap.pos++];
    n |= (b & 0x7f) << k;
    k += 7;
  } while (b & 0x80 && k < 28);
  if (b & 0x80) {
    let f = n;
    let fk = 268_435_456;
    do {
      b = buf[tap.pos++];
      f += (b & 0x7f) * fk;
      fk *= 128;
    } while (b & 0x80);
    return (f % 2 ? -(f + 1) : f) / 2;
  }
  return (n >> 1) ^ -(n & 1);
}

/** An Avro long with all 64 bits (avro-long-type.ts): a number when safe, else a bigint. */
function readLong(tap: Tap): number | bigint {
  const buf = tap.buf;
  let pos = tap.pos;
  let b = buf[pos++];
  let n = b & 0x7f;
  let mul = 128;
  // Up to 7 bytes (49 bits) float arithmetic is exact.
  while (b & 0x80 && mul <= 2 ** 42) {
    b = buf[pos++];
    n += (b & 0x7f) * mul;
    mul *= 128;
  }
  if (!(b & 0x80)) {
    tap.pos = pos;
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  }
  let u = BigInt(n);
  let shift = 49n;
  do {
    b = buf[pos++];
    u |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80 && shift < 70n);
  tap.pos = pos;
  u &= UINT64;
  const v = (u >> 1n) ^ -(u & 1n);
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

function readFixedNumber(tap: Tap, width: 4 | 8): number {
  const pos = tap.pos;
  tap.pos += width;
  return width === 4 ? tap.buf.readFloatLE(pos) : tap.buf.readDoubleLE(pos);
}

function readLength(tap: Tap): number {
  const len = readInt(tap);
  if (!(len >= 0) || tap.pos + len > tap.buf.length) throw new ConverterError(`Failed to deserialize Avro data: invalid length ${len}`);
  return len;
}

/** Moves the tap past a length-prefixed value (string or bytes); returns where the value starts (it ends at the tap). */
function skipLength(tap: Tap): number {
  const len = readLength(tap);
  const pos = tap.pos;
  tap.pos += len;
  return pos;
}

function readString(tap: Tap): string {
  const pos = skipLength(tap);
  return tap.buf.toString('utf8', pos, tap.pos);
}

function readBytes(tap: Tap): Buffer {
  const pos = skipLength(tap);
  return tap.buf.subarray(pos, tap.pos);
}

/** bytesToDecimal of the next bytes value, without a Buffer for the common short ones (<= 6 bytes, scale >= 0). */
function decimalText(tap: Tap, scale: number): string {
  const len = readLength(tap);
  const buf = tap.buf;
  const pos = tap.pos;
  tap.pos += len;
  if (len === 0 || len > 6 || scale < 0) return bytesToDecimal(buf.subarray(pos, pos + len), scale);
  let v = 0;
  for (let i = pos; i < pos + len; i++) v = v * 256 + buf[i];
  if (buf[pos] & 0x80) v -= 2 ** (len * 8);
  const negative = v < 0;
  const digits = String(negative ? -v : v);
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const point = padded.length - scale;
  return `${negative ? '-' : ''}${padded.slice(0, point)}.${padded.slice(point)}`;
}
