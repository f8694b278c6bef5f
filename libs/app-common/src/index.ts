export { createRootLogger, NestPinoLogger, ROOT_LOGGER, type RootLoggerOptions } from './logger';
export { LOG_LEVELS, LogLevels, parseLogLevel, ROOT_LOGGER_NAME, type LoggerLevel, type LogLevelName } from './log-levels';
export { installJsonBodyParsing } from './json-body';
export { ConfigError, parseEnv } from './env-config';
export { errorMessage } from './error-message';
export { WakeableSleep } from './wakeable-sleep';
