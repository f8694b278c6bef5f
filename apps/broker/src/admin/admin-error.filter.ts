import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

/** Admin API errors as `{ "error_code": <http status>, "message": "..." }`. */
@Catch(HttpException)
export class AdminErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
    res.status(status).json({ error_code: status, message: Array.isArray(message) ? message.join('; ') : String(message) });
  }
}
