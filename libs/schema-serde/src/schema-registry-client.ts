/**
 * Minimal Confluent Schema Registry HTTP client (global `fetch`), enough for serializers:
 *
 * - `register(subject, schema, references?)` -> id      POST /subjects/{s}/versions
 * - `getSchemaById(id)` -> schema text + references     GET  /schemas/ids/{id}
 * - `getSchemaByVersion(subject, version)`              GET  /subjects/{s}/versions/{v}
 * - `getLatestSchema(subject)`                          GET  /subjects/{s}/versions/latest
 * - `lookupSchema(subject, schema, references?)` -> id  POST /subjects/{s} (no registration)
 *
 * Caching: ids are immutable, so id -> schema, (subject, schema, references) -> id and
 * (subject, version) -> schema are cached forever (in-flight requests are shared, failures
 * are not cached). "latest" is never cached. Requests and responses use
 * `application/vnd.schemaregistry.v1+json`. Failures throw {@link SchemaRegistryError}
 * carrying the HTTP status and Confluent's `error_code` when the body has one.
 *
 * Several registries (`fallbackUrls`, Confluent's comma-separated `schema.registry.url`,
 * e.g. one per broker of a cluster): a request goes to the registry that answered last;
 * when it gets no response or a 5xx (a broker down or still loading its store) the next
 * one is tried, each at most once per request, and the first that answers otherwise
 * becomes the current one. The error thrown is the last registry's.
 */

export const SCHEMA_REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface RegisteredSchema {
  id: number;
  schema: string;
  schemaType: string;
  references: SchemaReference[];
}

export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  version: number;
}

export interface SchemaRegistryClientOptions {
  /** e.g. `http://127.0.0.1:8081` (a trailing slash is ignored) */
  baseUrl: string;
  /** Further registries of the same cluster, tried in order after `baseUrl` (see the class comment). */
  fallbackUrls?: readonly string[];
  /** extra headers, e.g. Authorization */
  headers?: Record<string, string>;
  /** per-request timeout; default 30 s */
  timeoutMs?: number;
  /** injectable for tests; defaults to the global fetch */
  fetch?: typeof fetch;
}

export class SchemaRegistryError extends Error {
  constructor(
    message: string,
    /** HTTP status, 0 when no response was received */
    readonly status: number,
    /** Confluent error code (e.g. 40403, 42201, 409), when the registry sent one */
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = 'SchemaRegistryError';
  }
}

export class SchemaRegistryClient {
  private readonly baseUrls: string[];
  /** Index in `baseUrls` of the registry requests go to first. */
  private current = 0;
  private readonly fetchFn: typeof fetch;
  private readonly byId = new Map<number, Promise<RegisteredSchema>>();
  private readonly idBySchema = new Map<string, Promise<number>>();
  private readonly byVersion = new Map<string, Promise<SubjectVersion>>();
  /** Number of HTTP requests sent (observability and tests). */
  requestCount = 0;

  constructor(private readonly options: SchemaRegistryClientOptions) {
    this.baseUrls = [options.baseUrl, ...(options.fallbackUrls ?? [])].map((u) => u.replace(/\/+$/, ''));
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Registers (or finds) `schema` under `subject`; returns its global id. */
  register(subject: string, schema: string, references: SchemaReference[] = [], schemaType = 'AVRO'): Promise<number> {
    const key = JSON.stringify([subject, schema, references, schemaType]);
    return this.cached(this.idBySchema, key, async () => {
      const body: Record<string, unknown> = { schema };
      if (schemaType !== 'AVRO') body.schemaType = schemaType;
      if (references.length > 0) body.references = references;
      const res = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
      const id = (res as { id?: unknown }).id;
      if (typeof id !== 'number') throw new SchemaRegistryError(`Registry answered register without an id: ${JSON.stringify(res)}`, 200);
      return id;
    });
  }

  /** The id of `schema` already registered under `subject` (40403 when it is not). */
  lookupSchema(subject: string, schema: string, references: SchemaReference[] = [], schemaType = 'AVRO'): Promise<number> {
    const key = JSON.stringify(['lookup', subject, schema, references, schemaType]);
    return this.cached(this.idBySchema, key, async () => {
      const body: Record<string, unknown> = { schema };
      if (schemaType !== 'AVRO') body.schemaType = schemaType;
      if (references.length > 0) body.references = references;
      const res = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, body);
      const id = (res as { id?: unknown }).id;
      if (typeof id !== 'number') throw new SchemaRegistryError(`Registry answered lookup without an id: ${JSON.stringify(res)}`, 200);
      return id;
    });
  }

  /** The schema registered with global id `id`. */
  getSchemaById(id: number): Promise<RegisteredSchema> {
    return this.cached(this.byId, id, async () => {
      const res = (await this.request('GET', `/schemas/ids/${id}`)) as Partial<RegisteredSchema>;
      if (typeof res.schema !== 'string') throw new SchemaRegistryError(`Registry answered schema ${id} without a schema`, 200);
      return { id, schema: res.schema, schemaType: res.schemaType ?? 'AVRO', references: res.references ?? [] };
    });
  }

  /** `subject` version `version` (cached: a version's schema never changes). */
  getSchemaByVersion(subject: string, version: number): Promise<SubjectVersion> {
    return this.cached(this.byVersion, `${subject}\u0000${version}`, () => this.fetchVersion(subject, String(version)));
  }

  /** The latest version of `subject` (not cached). */
  async getLatestSchema(subject: string): Promise<SubjectVersion> {
    const v = await this.fetchVersion(subject, 'latest');
    this.byId.set(v.id, Promise.resolve({ id: v.id, schema: v.schema, schemaType: v.schemaType, references: v.references }));
    return v;
  }

  private async fetchVersion(subject: string, version: string): Promise<SubjectVersion> {
    const res = (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`)) as Partial<SubjectVersion>;
    if (typeof res.schema !== 'string' || typeof res.id !== 'number' || typeof res.version !== 'number') {
      throw new SchemaRegistryError(`Registry answered ${subject} version ${version} with an incomplete body`, 200);
    }
    return {
      subject: res.subject ?? subject,
      version: res.version,
      id: res.id,
      schema: res.schema,
      schemaType: res.schemaType ?? 'AVRO',
      references: res.references ?? [],
    };
  }

  private cached<K, V>(map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    const hit = map.get(key);
    if (hit) return hit;
    const p = load();
    map.set(key, p);
    p.catch(() => map.delete(key));
    return p;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const first = this.current;
    for (let k = 0; ; k++) {
      const index = (first + k) % this.baseUrls.length;
      try {
        const answer = await this.requestOne(this.baseUrls[index], method, path, body);
        this.current = index;
        return answer;
      } catch (err) {
        const retriable = err instanceof SchemaRegistryError && (err.status === 0 || err.status >= 500);
        if (!retriable || k + 1 >= this.baseUrls.length) {
          if (err instanceof SchemaRegistryError && err.status !== 0 && err.status < 500) this.current = index;
          throw err;
        }
      }
    }
  }

  private async requestOne(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    this.requestCount++;
    const url = `${baseUrl}${path}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers: {
          Accept: `${SCHEMA_REGISTRY_CONTENT_TYPE}, application/json`,
          ...(body !== undefined ? { 'Content-Type': SCHEMA_REGISTRY_CONTENT_TYPE } : {}),
          ...this.options.headers,
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new SchemaRegistryError(`Schema registry request ${method} ${url} failed: ${reason}`, 0);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json ?? {}) as { error_code?: unknown; message?: unknown };
      const code = typeof err.error_code === 'number' ? err.error_code : undefined;
      const message = typeof err.message === 'string' ? err.message : text.slice(0, 200) || res.statusText;
      throw new SchemaRegistryError(
        `Schema registry ${method} ${path} failed with HTTP ${res.status}${code !== undefined ? ` (error code ${code})` : ''}: ${message}`,
        res.status,
        code,
      );
    }
    if (json === undefined) throw new SchemaRegistryError(`Schema registry ${method} ${path} answered invalid JSON`, res.status);
    return json;
  }
}
