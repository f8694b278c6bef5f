import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * The apps' logger: pino, JSON lines on stdout tagged with the app's name, level from
 * MILLRACE_LOG_LEVEL (default info). Components take a child logger named after
 * themselves.
 */
export function createRootLogger(app: string, level = process.env.MILLRACE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Adapts pino to Nest's LoggerService so framework messages share the same stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

/** Nest injection token for an app's root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
