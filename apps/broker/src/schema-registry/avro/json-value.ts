/**
 * A JSON reader and writer that keep what Avro's Java implementation (Jackson) keeps and
 * `JSON.parse` loses:
 *
 * - numbers keep their lexeme, so an integral literal (`1`) and a floating one (`1.0`,
 *   `1e3`) stay distinct; written back, integral numbers print as integers and floating
 *   ones the way Java's `Double.toString` prints them (`1.0`, `1.0E10`), which is what
 *   Jackson emits for the schema text Confluent returns;
 * - objects are `Map`s in insertion order; a repeated key keeps its first position and
 *   takes the last value (Jackson's `ObjectNode` behaviour).
 *
 * Contract: {@link parseJson} throws {@link JsonSyntaxError} with a 0-based offset on
 * malformed input; {@link writeJson} emits compact JSON (no whitespace).
 */

/** A JSON number with its original lexeme. */
export class JsonNumber {
  constructor(readonly raw: string) {}

  /** True when the lexeme has no fraction and no exponent (Jackson: an int/long node). */
  get isIntegral(): boolean {
    return !/[.eE]/.test(this.raw);
  }

  get value(): number {
    return Number(this.raw);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}

export function isJsonNumber(v: JsonValue | undefined): v is JsonNumber {
  return v instanceof JsonNumber;
}

/** Parses JSON text (strict RFC 8259; unlike Avro-Java's parser, comments are rejected). */
export function parseJson(text: string): JsonValue {
  const reader = new Reader(text);
  reader.skipWs();
  const value = reader.value();
  reader.skipWs();
  if (reader.pos < text.length) throw new JsonSyntaxError('Unexpected trailing content', reader.pos);
  return value;
}

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  skipWs(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(): JsonValue {
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        throw new JsonSyntaxError(c === undefined ? 'Unexpected end of input' : `Unexpected character '${c}'`, this.pos);
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    throw new JsonSyntaxError('Invalid literal', this.pos);
  }

  private number(): JsonNumber {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) throw new JsonSyntaxError('Invalid number', this.pos);
    this.pos += m[0].length;
    return new JsonNumber(m[0]);
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    while (true) {
      if (this.pos >= this.s.length) throw new JsonSyntaxError('Unterminated string', start);
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.s.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw new JsonSyntaxError('Control character in string', this.pos);
      if (c === 0x5c) {
        out += this.s.slice(chunk, this.pos);
        const e = this.s[this.pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.pos += 2;
        } else if (e === 'u') {
          const hex = this.s.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('Invalid unicode escape', this.pos);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else {
          throw new JsonSyntaxError('Invalid escape', this.pos);
        }
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipWs();
      out.push(this.value());
      this.skipWs();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return out;
      } else throw new JsonSyntaxError("Expected ',' or ']'", this.pos);
    }
  }

  private object(): JsonObject {
    this.pos++;
    const out: JsonObject = new Map();
    this.skipWs();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipWs();
      if (this.s[this.pos] !== '"') throw new JsonSyntaxError('Expected a property name', this.pos);
      const key = this.string();
      this.skipWs();
      if (this.s[this.pos] !== ':') throw new JsonSyntaxError("Expected ':'", this.pos);
      this.pos++;
      this.skipWs();
      out.set(key, this.value());
      this.skipWs();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return out;
      } else throw new JsonSyntaxError("Expected ',' or '}'", this.pos);
    }
  }
}

/** Compact JSON text for a value, numbers printed as Jackson prints int/long/double nodes. */
export function writeJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return formatNumber(v);
  if (Array.isArray(v)) return `[${v.map(writeJson).join(',')}]`;
  const parts: string[] = [];
  for (const [k, val] of v) parts.push(`${JSON.stringify(k)}:${writeJson(val)}`);
  return `{${parts.join(',')}}`;
}

function formatNumber(n: JsonNumber): string {
  if (n.isIntegral) return BigInt(n.raw).toString();
  return javaDoubleToString(n.value);
}

/**
 * Java's `Double.toString`: plain decimal notation with at least one fractional digit
 * for 1e-3 <= |d| < 1e7, otherwise `d.dddE[-]n`. Digits are the shortest round-trip
 * digits (what JavaScript produces; Java >= 19 agrees).
 */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  const sign = d < 0 ? '-' : '';
  if (abs >= 1e-3 && abs < 1e7) {
    const s = abs.toString();
    if (s.includes('e')) {
      // tiny values such as 1e-3 never get here in practice, but stay exact
      return sign + abs.toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
    }
    return sign + (s.includes('.') ? s : `${s}.0`);
  }
  const [mant, exp] = abs.toExponential().split('e');
  const mantissa = mant.includes('.') ? mant : `${mant}.0`;
  return `${sign}${mantissa}E${Number(exp)}`;
}
