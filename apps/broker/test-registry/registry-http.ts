/**
 * A minimal HTTP client for the schema registry API in tests and the benchmark: global
 * fetch, JSON bodies with Confluent's media type unless told otherwise, and the answer
 * as status + parsed JSON (or text when the body is not JSON).
 */
export interface RegistryResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
  contentType: string;
}

export const SR_V1_JSON = 'application/vnd.schemaregistry.v1+json';

export interface CallOptions {
  /** Request media type (default application/vnd.schemaregistry.v1+json); null sends none. */
  contentType?: string | null;
  accept?: string;
  /** Send this text as the body instead of JSON-encoding `body`. */
  rawBody?: string;
}

export class RegistryHttp {
  constructor(readonly baseUrl: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<RegistryResponse<T>> {
    const headers: Record<string, string> = {};
    const payload = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined && opts.contentType !== null) headers['content-type'] = opts.contentType ?? SR_V1_JSON;
    if (opts.accept) headers.accept = opts.accept;
    // A string body makes fetch add text/plain; bytes go without a media type.
    const sent = payload !== undefined && opts.contentType === null ? new TextEncoder().encode(payload) : payload;
    const res = await fetch(this.baseUrl + path, { method, headers, body: sent });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T, text, contentType: res.headers.get('content-type') ?? '' };
  }

  get<T = unknown>(path: string, opts?: CallOptions): Promise<RegistryResponse<T>> {
    return this.call<T>('GET', path, undefined, opts);
  }
  post<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<RegistryResponse<T>> {
    return this.call<T>('POST', path, body, opts);
  }
  put<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<RegistryResponse<T>> {
    return this.call<T>('PUT', path, body, opts);
  }
  delete<T = unknown>(path: string): Promise<RegistryResponse<T>> {
    return this.call<T>('DELETE', path);
  }

  /** Registers and returns the id, failing loudly on any other answer. */
  async register(subject: string, schema: object | string, extra: Record<string, unknown> = {}, query = ''): Promise<number> {
    const res = await this.post<{ id: number }>(`/subjects/${encodeURIComponent(subject)}/versions${query}`, { schema: typeof schema === 'string' ? schema : JSON.stringify(schema), ...extra });
    if (res.status !== 200) throw new Error(`register ${subject} answered ${res.status}: ${res.text}`);
    return res.body.id;
  }
}

/** An Avro record schema named `name` with the given string fields (all with defaults after the first). */
export function recordSchema(name: string, fields: string[], namespace = 'com.example'): object {
  return {
    type: 'record',
    name,
    namespace,
    fields: fields.map((f, i) => (i === 0 ? { name: f, type: 'string' } : { name: f, type: 'string', default: '' })),
  };
}
