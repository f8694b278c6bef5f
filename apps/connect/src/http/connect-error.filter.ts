import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';

/**
 * Every REST error as Kafka Connect's `{"error_code": <http status>, "message": "..."}`:
 * HttpExceptions keep their status (Nest's 404 for an unknown route included); anything
 * else is a 500 whose message is the error's. Every message passes `scrub` (known
 * secret values hidden) before it is answered or logged.
 */
@Catch()
export class ConnectErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly scrub: (text: string) => string = (text) => text,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      res.status(status).json({ error_code: status, message: this.scrub(Array.isArray(message) ? message.join('; ') : String(message)) });
      return;
    }
    const err = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error({ err: err.message, stack: err.stack }, 'REST request failed');
    res.status(500).json({ error_code: 500, message: this.scrub(err.message) });
  }
}
