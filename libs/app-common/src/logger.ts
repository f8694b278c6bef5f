import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevels } from './log-levels';

export interface RootLoggerOptions {
  /** Default MILLRACE_LOG_LEVEL, else info. */
  readonly level?: string;
  /** Registry of runtime levels by component (`/admin/loggers`); it sees every child logger. */
  readonly levels?: LogLevels;
  /** Last step before a line is written (e.g. hiding secrets); gets and returns the JSON line. */
  readonly scrub?: (line: string) => string;
}

/**
 * The apps' logger: pino, JSON lines on stdout tagged with the app's name, level from
 * MILLRACE_LOG_LEVEL (default info). Components take a child logger named after
 * themselves (`child({component})`).
 */
export function createRootLogger(app: string, opts: RootLoggerOptions = {}): Logger {
  const logger = pino({
    level: opts.level ?? process.env.MILLRACE_LOG_LEVEL ?? 'info',
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(opts.levels ? { onChild: opts.levels.onChild } : {}),
    ...(opts.scrub ? { hooks: { streamWrite: opts.scrub } } : {}),
  });
  opts.levels?.attach(logger);
  return logger;
}

/**
 * Nest's start-up chatter (a line per module and per route: ~130 for connect) goes to
 * debug; what a person reads at start-up is the app's own summary line.
 */
const NOISY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Adapts pino to Nest's LoggerService so framework messages share the same stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    if (context !== undefined && NOISY_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
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
