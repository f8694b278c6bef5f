export { createRootLogger, NestPinoLogger, ROOT_LOGGER } from './logger';
export { installJsonBodyParsing } from './json-body';
export { ConfigError, parseEnv } from './env-config';
export { errorMessage } from './error-message';
