import type { Logger } from 'pino';

/** Kafka Connect's log levels (log4j), as the `/admin/loggers` API names them. */
export const LOG_LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const TO_PINO: Record<LogLevelName, string> = { OFF: 'silent', FATAL: 'fatal', ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug', TRACE: 'trace' };
const FROM_PINO: Record<string, LogLevelName> = Object.fromEntries(Object.entries(TO_PINO).map(([k, v]) => [v, k as LogLevelName]));

/** The level of one named logger; `last_modified` is when it was last set through `set` (ms), else null. */
export interface LoggerLevel {
  level: LogLevelName;
  last_modified: number | null;
}

/** The logger name of the root logger; the others are the `component` of child loggers. */
export const ROOT_LOGGER_NAME = 'root';

/**
 * Runtime log levels by logger name (Kafka Connect's `/admin/loggers`). A logger's name
 * is the `component` binding of a child logger (`worker`, `herder`, `rest`...); loggers
 * without one belong to `root`.
 *
 * Contracts: `set(name)` changes the level of every live logger of that component and of
 * every one created later; `set('root')` changes every logger (as log4j's root does)
 * and clears the component overrides. Loggers are held weakly (task loggers come and go).
 */
export class LogLevels {
  private root: Logger | undefined;
  private readonly live = new Set<WeakRef<Logger>>();
  private readonly overrides = new Map<string, LoggerLevel>();
  private rootModified: number | null = null;
  private sinceSweep = 0;

  /** pino's `onChild` hook: registers each child logger and applies its component's level. */
  readonly onChild = (child: Logger): void => {
    this.live.add(new WeakRef(child));
    const override = this.overrides.get(componentOf(child) ?? ROOT_LOGGER_NAME);
    if (override) child.level = TO_PINO[override.level];
    if (++this.sinceSweep >= 256) this.sweep();
  };

  attach(root: Logger): void {
    this.root = root;
  }

  /** Every known logger name with its level, root first then sorted. */
  list(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    const rootLevel = this.get(ROOT_LOGGER_NAME);
    if (rootLevel) out[ROOT_LOGGER_NAME] = rootLevel;
    const names = new Set<string>(this.overrides.keys());
    for (const l of this.loggers()) {
      const c = componentOf(l);
      if (c !== undefined) names.add(c);
    }
    for (const name of [...names].filter((n) => n !== ROOT_LOGGER_NAME).sort()) out[name] = this.get(name) as LoggerLevel;
    return out;
  }

  /** The level of a logger name, or undefined when no logger has that name. */
  get(name: string): LoggerLevel | undefined {
    if (name === ROOT_LOGGER_NAME) return this.root ? { level: FROM_PINO[this.root.level] ?? 'INFO', last_modified: this.rootModified } : undefined;
    const override = this.overrides.get(name);
    if (override) return { ...override };
    const logger = this.loggers().find((l) => componentOf(l) === name);
    return logger ? { level: FROM_PINO[logger.level] ?? 'INFO', last_modified: null } : undefined;
  }

  /** Sets a logger's level; returns the names of the loggers whose level was set, sorted. */
  set(name: string, level: LogLevelName): string[] {
    const now = Date.now();
    if (name === ROOT_LOGGER_NAME) {
      const names = Object.keys(this.list());
      if (this.root) this.root.level = TO_PINO[level];
      this.rootModified = now;
      this.overrides.clear();
      for (const l of this.loggers()) l.level = TO_PINO[level];
      return names.sort();
    }
    this.overrides.set(name, { level, last_modified: now });
    for (const l of this.loggers()) if (componentOf(l) === name) l.level = TO_PINO[level];
    return [name];
  }

  private loggers(): Logger[] {
    const out: Logger[] = [];
    for (const ref of this.live) {
      const l = ref.deref();
      if (l) out.push(l);
      else this.live.delete(ref);
    }
    return out;
  }

  private sweep(): void {
    this.sinceSweep = 0;
    this.loggers();
  }
}

function componentOf(logger: Logger): string | undefined {
  const c = (logger.bindings() as { component?: unknown }).component;
  return typeof c === 'string' ? c : undefined;
}

/** Parses a level name as the `/admin/loggers` API accepts it (case-insensitive); undefined when unknown. */
export function parseLogLevel(text: unknown): LogLevelName | undefined {
  if (typeof text !== 'string') return undefined;
  const upper = text.trim().toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(upper) ? (upper as LogLevelName) : undefined;
}
