import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { errorMessage } from '@millrace/app-common';

/** The media types Confluent's registry accepts for request bodies (besides none at all). */
const ACCEPTED_BODY_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
]);

const V1_JSON = 'application/vnd.schemaregistry.v1+json';

/**
 * Content negotiation of the registry API, as Confluent does it:
 * - Responses are `application/vnd.schemaregistry.v1+json`, or `application/json` when
 *   the client accepts only that.
 * - Request bodies may be any of ACCEPTED_BODY_TYPES (or untyped) and are JSON. Nest's
 *   global parser has already read `application/json`; this reads the others. Malformed
 *   JSON is 400 and an unsupported media type 415, both with a Confluent error body.
 */
@Injectable()
export class RegistryMediaTypeMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const accept = req.headers.accept ?? '';
    const wantsPlainJson = accept.includes('application/json') && !accept.includes('schemaregistry') && !accept.includes('*/*');
    res.setHeader('Content-Type', wantsPlainJson ? 'application/json' : V1_JSON);

    if (req.method !== 'POST' && req.method !== 'PUT') return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== '' && !ACCEPTED_BODY_TYPES.has(type)) {
      res.status(415).json({ error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
      return;
    }
    if (type === 'application/json' && req.readableEnded) return next();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (err) => next(err));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        req.body = undefined;
        return next();
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (err) {
        res.status(400).json({ error_code: 400, message: `Unrecognized JSON: ${errorMessage(err)}` });
        return;
      }
      next();
    });
  }
}
