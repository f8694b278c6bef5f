import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ROOT_LOGGER, errorMessage } from '@millrace/app-common';
import { KafkaStore } from './kafka-store';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { RegistryError, RegistryErrors } from './registry-errors';
import { RegistryLeadership } from './registry-leadership';
import { writeOperationOf } from './registry-write-route';

/** Marks a request one broker forwarded to another (value: the sender's node id). */
export const FORWARDED_HEADER = 'x-millrace-registry-forwarded-by';

/** Request headers passed on to the leader; nothing else (cookies etc.) is. */
const PASSED_HEADERS = ['accept', 'authorization'] as const;

/**
 * The registry's single writer in a cluster: a mutating request (registry-write-route.ts
 * lists them) that reaches a broker other than the leader is sent on to the leader's
 * HTTP endpoint with the same method, path, query and JSON body (plus Accept and
 * Authorization, never logged). The leader's answer is returned as is, status included;
 * a successful one only after this broker's own store has read the topic to its end, so
 * the client reads its own write here. Runs after RegistryMediaTypeMiddleware (the body
 * is parsed JSON by then).
 *
 * Errors (Confluent's 50003, HTTP 500, clients retry): no leader right now, the leader
 * unreachable or not answering within the ready plus the write timeout (the longest the
 * leader may take once the write holds its lock; 40 s by default), or a forwarded
 * request reaching a broker that no longer leads. 50001/50002 when the leader wrote but
 * this broker could not read the write back.
 */
@Injectable()
export class RegistryForwardingMiddleware implements NestMiddleware {
  private readonly logger: Logger;

  constructor(
    private readonly leadership: RegistryLeadership,
    private readonly store: KafkaStore,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.logger = root.child({ component: 'schema-registry' });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const path = req.originalUrl.split('?')[0];
    const operation = writeOperationOf(req.method, path);
    if (!operation || !this.leadership.clustered) return next();
    const route = this.leadership.route(req.headers[FORWARDED_HEADER] !== undefined);
    if (route.kind === 'local') return next();
    if (route.kind === 'unavailable') return sendError(res, RegistryErrors.forwardingFailed(operation, route.reason));
    void this.forward(req, res, `http://${route.host}:${route.port}${req.originalUrl}`, operation, route.nodeId);
  }

  private async forward(req: Request, res: Response, url: string, operation: string, leaderId: number): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json', [FORWARDED_HEADER]: String(this.leadership.nodeId) };
    for (const h of PASSED_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    let status: number;
    let contentType: string | null;
    let body: string;
    try {
      const answer = await fetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.config.readyTimeoutMs + this.config.writeTimeoutMs),
      });
      status = answer.status;
      contentType = answer.headers.get('content-type');
      body = await answer.text();
    } catch (err) {
      // The URL holds no secret (no credentials in it); headers are not logged.
      this.logger.warn({ leader: leaderId, operation, err: errorMessage(err) }, 'schema registry: forwarding to the leader failed');
      return sendError(res, RegistryErrors.forwardingFailed(operation, `broker ${leaderId} did not answer (${errorMessage(err)})`));
    }
    if (status >= 200 && status < 300) {
      try {
        await this.store.catchUp();
      } catch (err) {
        return sendError(res, err instanceof RegistryError ? err : RegistryErrors.storeError(errorMessage(err)));
      }
    }
    res.status(status);
    if (contentType) res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}

function sendError(res: Response, err: RegistryError): void {
  res.status(err.status).json({ error_code: err.errorCode, message: err.message });
}
