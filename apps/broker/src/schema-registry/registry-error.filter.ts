import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCodes, RegistryError } from './registry-errors';

/**
 * Every error of the registry API as Confluent writes it: the HTTP status and a body
 * `{"error_code": n, "message": "..."}`. RegistryErrors carry their Confluent code;
 * framework HTTP errors use their status as the code (as Confluent's REST layer does for
 * e.g. 404 / 405 / 415); anything else is a 500 / 50001 (store or internal error).
 */
@Catch()
export class RegistryErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof RegistryError) {
      res.status(exception.status).json({ error_code: exception.errorCode, message: exception.message });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      res.status(status).json({ error_code: status, message: exception.message });
      return;
    }
    const message = exception instanceof Error ? exception.message : String(exception);
    res.status(500).json({ error_code: ErrorCodes.STORE_ERROR, message: `Internal error: ${message}` });
  }
}
