export { createRootLogger, NestPinoLogger, ROOT_LOGGER } from './logger';
export { installJsonBodyParsing } from './json-body';
