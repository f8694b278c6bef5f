import { CliError, EXIT } from './cli-context';

/**
 * One JSON call to a Millrace REST API (connect, registry, broker admin). Answers the
 * parsed body of a 2xx (undefined for 204). Anything else becomes a CliError: 404 ->
 * exit 3, other 4xx/5xx -> exit 1 with the server's own message (`message` or `error`
 * field), a refused or timed-out connection -> exit 4 naming the URL and the option to
 * set.
 */
export async function httpJson<T = unknown>(method: string, url: string, body?: unknown, what = `${method} ${url}`, option = ''): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new CliError(`${what}: cannot reach ${new URL(url).origin} (${cause})${option ? `; set ${option}` : ''}`, EXIT.unreachable);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (res.ok) return parsed as T;
  const p = parsed as { message?: string; error?: string; error_code?: number } | string | undefined;
  const message = typeof p === 'string' ? p : (p?.message ?? p?.error ?? res.statusText);
  throw new CliError(`${what}: ${res.status} ${message}`, res.status === 404 ? EXIT.notFound : EXIT.failed);
}
