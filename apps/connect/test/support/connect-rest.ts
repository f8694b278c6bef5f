import { retryUntil } from '@millrace/testing';

export interface RestResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
}

/** A tiny client of the connect REST API for tests: every call answers status and parsed body. */
export class ConnectRest {
  constructor(private readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown): Promise<RestResponse> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  get(path: string): Promise<RestResponse> {
    return this.call('GET', path);
  }

  /** Status of a connector (throws unless 200). */
  async status(name: string): Promise<ConnectorStatus> {
    const r = await this.get(`/connectors/${encodeURIComponent(name)}/status`);
    if (r.status !== 200) throw new Error(`status of ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as ConnectorStatus;
  }

  /** Waits until the connector state and every task state (with `tasks` tasks) is `state`. */
  async waitForState(name: string, state: string, tasks: number, timeoutMs = 30_000): Promise<ConnectorStatus> {
    return retryUntil(
      `${name} ${state} with ${tasks} task(s)`,
      async () => {
        const s = await this.status(name);
        if (s.connector.state !== state || s.tasks.length !== tasks || s.tasks.some((t) => t.state !== state)) throw new Error(JSON.stringify(s));
        return s;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }
}

export interface StateInfo {
  state: string;
  worker_id: string;
  trace?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: StateInfo;
  tasks: (StateInfo & { id: number })[];
  type: string;
}

export async function waitFor<T>(what: string, attempt: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return retryUntil(
    what,
    async () => {
      const v = await attempt();
      if (v === undefined || v === false) throw new Error('not yet');
      return v;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
