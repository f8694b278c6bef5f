/**
 * A tiny in-memory Confluent Schema Registry over node:http on 127.0.0.1:0, for tests.
 * Implements: POST /subjects/{s}/versions, POST /subjects/{s}, GET /schemas/ids/{id},
 * GET /subjects/{s}/versions/{v|latest}. Same schema text (+ references) => same id
 * across subjects. Records every request; `failNext` makes the next request answer 500.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  contentType?: string;
  accept?: string;
  body?: unknown;
}

interface Ref {
  name: string;
  subject: string;
  version: number;
}

interface Stored {
  id: number;
  schema: string;
  references: Ref[];
}

export class FakeSchemaRegistry {
  readonly requests: RecordedRequest[] = [];
  failNext = 0;
  private server?: Server;
  private readonly schemas: Stored[] = [];
  private readonly subjects = new Map<string, number[]>();

  get url(): string {
    const addr = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const rec: RecordedRequest = { method: req.method ?? '', path, contentType: req.headers['content-type'], accept: req.headers.accept };
    if (raw) rec.body = JSON.parse(raw);
    this.requests.push(rec);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(body));
    };
    if (this.failNext > 0) {
      this.failNext--;
      return send(500, { error_code: 50001, message: 'Error in the backend data store' });
    }
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const body = (rec.body ?? {}) as { schema?: string; references?: Ref[] };
    if (req.method === 'POST' && parts[0] === 'subjects' && parts.length === 3 && parts[2] === 'versions') {
      const schema = body.schema;
      if (typeof schema !== 'string') return send(422, { error_code: 42201, message: 'Empty schema' });
      try {
        JSON.parse(schema);
      } catch {
        return send(422, { error_code: 42201, message: 'Invalid schema' });
      }
      const refs = body.references ?? [];
      let stored = this.schemas.find((s) => s.schema === schema && JSON.stringify(s.references) === JSON.stringify(refs));
      if (!stored) {
        stored = { id: this.schemas.length + 1, schema, references: refs };
        this.schemas.push(stored);
      }
      const versions = this.subjects.get(parts[1]) ?? [];
      if (!versions.includes(stored.id)) versions.push(stored.id);
      this.subjects.set(parts[1], versions);
      return send(200, { id: stored.id });
    }
    if (req.method === 'POST' && parts[0] === 'subjects' && parts.length === 2) {
      const versions = this.subjects.get(parts[1]);
      if (!versions) return send(404, { error_code: 40401, message: `Subject '${parts[1]}' not found.` });
      const idx = versions.findIndex((id) => this.schemas[id - 1].schema === body.schema);
      if (idx < 0) return send(404, { error_code: 40403, message: 'Schema not found' });
      const s = this.schemas[versions[idx] - 1];
      return send(200, { subject: parts[1], version: idx + 1, id: s.id, schema: s.schema });
    }
    if (req.method === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids' && parts.length === 3) {
      const s = this.schemas[Number(parts[2]) - 1];
      if (!s) return send(404, { error_code: 40403, message: 'Schema not found' });
      return send(200, s.references.length ? { schema: s.schema, references: s.references } : { schema: s.schema });
    }
    if (req.method === 'GET' && parts[0] === 'subjects' && parts[2] === 'versions' && parts.length === 4) {
      const versions = this.subjects.get(parts[1]);
      if (!versions) return send(404, { error_code: 40401, message: `Subject '${parts[1]}' not found.` });
      const v = parts[3] === 'latest' ? versions.length : Number(parts[3]);
      const id = versions[v - 1];
      if (id === undefined) return send(404, { error_code: 40402, message: 'Version not found.' });
      const s = this.schemas[id - 1];
      return send(200, { subject: parts[1], version: v, id, schema: s.schema, ...(s.references.length ? { references: s.references } : {}) });
    }
    return send(404, { error_code: 404, message: 'HTTP 404 Not Found' });
  }
}
