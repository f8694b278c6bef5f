import * as http from 'node:http';

/**
 * Performs one HTTP GET and resolves with the response status code (the body is read and
 * discarded). Rejects on connection errors or when no response arrives within `timeoutMs`.
 */
export function httpGetStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}
