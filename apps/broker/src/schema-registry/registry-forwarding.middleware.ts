import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ROOT_LOGGER, errorMessage } from '@millrace/app-common';
import { KafkaStore } from './kafka-store';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { RegistryError, RegistryErrors } from './registry-errors';
import { RegistryLeadership } from './registry-leadership';
import { forwardRetriable, writeOperationOf, type RegistryWriteOperation } from './registry-write-route';

/** Marks a request one broker forwarded to another (value: the sender's node id). */
export const FORWARDED_HEADER = 'x-millrace-registry-forwarded-by';

/** Request headers passed on to the leader; nothing else (cookies etc.) is. */
const PASSED_HEADERS = ['accept', 'authorization'] as const;

/** What one forwarding attempt came to. */
type Attempt = { readonly status: number; readonly contentType: string | null; readonly body: string } | { readonly errorCode: string; readonly message: string };

/**
 * The registry's single writer in a cluster: a mutating request (registry-write-route.ts
 * lists them) that reaches a broker other than the leader is sent on to the leader's
 * HTTP endpoint with the same method, path, query and JSON body (plus Accept and
 * Authorization, never logged). The leader's answer is returned as is, status included;
 * a successful one only after this broker's own store has read the topic to its end, so
 * the client reads its own write here. Runs after RegistryMediaTypeMiddleware (the body
 * is parsed JSON by then).
 *
 * Failover: while there is no leader, or the leader refuses the connection or answers
 * 50003 (forwardRetriable: nothing was written), the request is routed again every
 * 250 ms for up to MILLRACE_REGISTRY_WRITE_TIMEOUT_MS (it runs here if this broker
 * became the leader meanwhile), as a local write's producer retries through a failover.
 * Then, and for a forwarded request reaching a broker that no longer leads: Confluent's
 * 50003 (HTTP 500; clients retry). An attempt times out after the ready plus the write
 * timeout (the longest the leader may take; 40 s by default) and is not retried.
 * 50001/50002 when the leader wrote but this broker could not read the write back.
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
    const operation = writeOperationOf(req.method, req.originalUrl.split('?')[0]);
    if (!operation || !this.leadership.clustered) return next();
    this.dispatch(req, res, next, operation).catch((err: unknown) => next(err));
  }

  private async dispatch(req: Request, res: Response, next: NextFunction, operation: RegistryWriteOperation): Promise<void> {
    const forwarded = req.headers[FORWARDED_HEADER] !== undefined;
    const deadline = Date.now() + this.config.writeTimeoutMs;
    for (;;) {
      const route = this.leadership.route(forwarded);
      if (route.kind === 'local') return next();
      let why: string;
      if (route.kind === 'unavailable') {
        why = route.reason;
      } else {
        const attempt = await this.attempt(req, `http://${route.host}:${route.port}${req.originalUrl}`);
        if ('status' in attempt) {
          if (!forwardRetriable(attempt)) return this.reply(res, attempt);
          why = `broker ${route.nodeId} answered: ${attempt.body.slice(0, 300)}`;
        } else {
          why = `broker ${route.nodeId} did not answer (${attempt.message})`;
          if (!forwardRetriable(attempt)) return this.fail(res, operation, why, route.nodeId);
        }
      }
      if (forwarded || Date.now() >= deadline) return this.fail(res, operation, why, route.kind === 'forward' ? route.nodeId : undefined);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async attempt(req: Request, url: string): Promise<Attempt> {
    const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json', [FORWARDED_HEADER]: String(this.leadership.nodeId) };
    for (const h of PASSED_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    try {
      const answer = await fetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.config.readyTimeoutMs + this.config.writeTimeoutMs),
      });
      return { status: answer.status, contentType: answer.headers.get('content-type'), body: await answer.text() };
    } catch (err) {
      const cause = (err as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'UNKNOWN';
      return { errorCode: code, message: errorMessage(cause ?? err) };
    }
  }

  private async reply(res: Response, answer: { status: number; contentType: string | null; body: string }): Promise<void> {
    if (answer.status >= 200 && answer.status < 300) {
      try {
        await this.store.catchUp();
      } catch (err) {
        return sendError(res, err instanceof RegistryError ? err : RegistryErrors.storeError(errorMessage(err)));
      }
    }
    res.status(answer.status);
    if (answer.contentType) res.setHeader('Content-Type', answer.contentType);
    res.send(answer.body);
  }

  private fail(res: Response, operation: RegistryWriteOperation, why: string, leader: number | undefined): void {
    // Neither the URL nor the reason holds a secret; request headers are never logged.
    this.logger.warn({ leader, operation, why }, 'schema registry: forwarding to the leader failed');
    sendError(res, RegistryErrors.forwardingFailed(operation, why));
  }
}

function sendError(res: Response, err: RegistryError): void {
  res.status(err.status).json({ error_code: err.errorCode, message: err.message });
}
