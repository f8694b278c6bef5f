/**
 * The console's only way out: the public REST APIs. The broker (this page's origin)
 * serves the admin API (/admin, /health, /metrics) and the schema registry; Kafka
 * Connect is another origin, read from /console/config.json (null = this host, 8083).
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let connectBase: string | null = null;

export async function loadConfig(): Promise<void> {
  const cfg = (await (await fetch('/console/config.json')).json()) as { connectUrl: string | null };
  connectBase = cfg.connectUrl ?? `${location.protocol}//${location.hostname}:8083`;
}

export function connectUrl(): string {
  return connectBase ?? `${location.protocol}//${location.hostname}:8083`;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) } });
  } catch (err) {
    throw new ApiError(`cannot reach ${new URL(url, location.href).origin}: ${(err as Error).message}`, 0);
  }
  const text = await res.text();
  const body: unknown = text === '' ? undefined : (() => { try { return JSON.parse(text); } catch { return text; } })();
  if (!res.ok) {
    const b = body as { message?: string; error?: string } | string | undefined;
    throw new ApiError(typeof b === 'string' ? b : (b?.message ?? b?.error ?? res.statusText), res.status);
  }
  return body as T;
}

export const broker = <T>(path: string, init?: RequestInit): Promise<T> => call<T>(path, init);
export const connect = <T>(path: string, init?: RequestInit): Promise<T> => call<T>(`${connectUrl()}${path}`, init);
export const registry = broker;

export const metricsText = async (): Promise<string> => (await fetch('/metrics')).text();

/** Sums of the samples of `name` in Prometheus text, by one label (e.g. topic). */
export function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) total += v;
  }
  return total;
}

export interface ConnectorStatus {
  name: string;
  type?: string;
  connector: { state: string; worker_id?: string; trace?: string };
  tasks: Array<{ id: number; state: string; worker_id?: string; trace?: string }>;
}
