import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ClusterMembershipService } from '../distributed/cluster-membership.service';

/** Marks a request forwarded by another worker: it is served where it arrives. */
export const FORWARDED_HEADER = 'x-millrace-forwarded';

/** How long a forwarded request may take at the leader. */
const FORWARD_TIMEOUT_MS = 30_000;

/**
 * Sends REST writes (`POST|PUT|PATCH|DELETE /connectors...`) that reach a follower to
 * the group leader, as Kafka Connect's workers do with the leader URL of their
 * assignment, and answers with the leader's status and body.
 *
 * Contracts: reads are never forwarded; a request is forwarded at most once (the
 * forwarded copy carries FORWARDED_HEADER); with no leader known yet (the worker has not
 * joined) or when this worker leads, the write is served here, which is safe because
 * connect-configs has one partition (every worker applies writes in the same order).
 * A leader that cannot be reached answers 409 (a rebalance is probably under way; the
 * client retries), never 500.
 */
@Injectable()
export class LeaderForwardingMiddleware implements NestMiddleware {
  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    private readonly membership: ClusterMembershipService,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const leaderUrl = this.membership.leaderUrl;
    if (req.method === 'GET' || req.method === 'HEAD' || req.headers[FORWARDED_HEADER] !== undefined || this.membership.isLeader || leaderUrl === null || leaderUrl === this.config.advertisedUrl) {
      next();
      return;
    }
    const hasBody = req.body !== undefined && (req.headers['content-type'] ?? '').includes('json');
    let answer: globalThis.Response;
    try {
      answer = await fetch(`${leaderUrl}${req.originalUrl}`, {
        method: req.method,
        headers: { [FORWARDED_HEADER]: this.config.workerId, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
        ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
    } catch (err) {
      res.status(409).json({ error_code: 409, message: `Cannot forward the request to the leader at ${leaderUrl} (${(err as Error).message}); a rebalance is probably in progress, retry` });
      return;
    }
    const text = await answer.text();
    res.status(answer.status);
    const type = answer.headers.get('content-type');
    if (type) res.setHeader('content-type', type);
    res.send(text);
  }
}
