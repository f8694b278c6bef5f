/** The logger storage reports to (recovery, retention, compaction). Injected; pino fits. */
export interface StorageLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export const NOOP_LOGGER: StorageLogger = {
  info: () => undefined,
  warn: () => undefined,
};
