import type { Logger } from 'pino';

/** The worker's pino logger in the shape a connector or task gets (`context.logger`). */
export function connectorLogger(logger: Logger) {
  return {
    info: (m: string) => logger.info(m),
    warn: (m: string) => logger.warn(m),
    error: (m: string) => logger.error(m),
    debug: (m: string) => logger.debug(m),
  };
}
