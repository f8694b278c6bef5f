import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Default largest JSON body (bytes). */
const DEFAULT_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * JSON request bodies for the apps' HTTP APIs. A body that is not valid JSON is answered
 * `400 {"error_code": 400, "message": ...}` — the error shape of the broker's admin API,
 * the schema registry and Kafka Connect's REST API — instead of Express's HTML page; a
 * body over `limitBytes` (default 16 MiB) is answered 413 with a message naming the limit.
 * Call before `listen`/`init`; the app must be created with `bodyParser: false`.
 */
export function installJsonBodyParsing(app: INestApplication, limitBytes = DEFAULT_LIMIT_BYTES): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: limitBytes });
  express.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string; length?: number };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error_code: 400, message: `Unrecognized JSON: ${e.message ?? 'malformed body'}` });
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error_code: 413, message: `Request body too large: ${e.length ?? 'it'} bytes, the limit is ${limitBytes} bytes` });
      return;
    }
    next(err);
  });
}
