import pino from 'pino';
import { LogLevels, parseLogLevel } from './log-levels';
import { createRootLogger } from './logger';

describe('LogLevels', () => {
  const setup = () => {
    const levels = new LogLevels();
    const root = pino({ level: 'info', onChild: levels.onChild }, { write: () => undefined });
    levels.attach(root);
    return { levels, root };
  };

  test('lists root and every component with its level', () => {
    const { levels, root } = setup();
    root.child({ component: 'worker' });
    root.child({ component: 'herder' }).child({ connector: 'c' });
    expect(levels.list()).toEqual({ root: { level: 'INFO', last_modified: null }, herder: { level: 'INFO', last_modified: null }, worker: { level: 'INFO', last_modified: null } });
    expect(levels.get('nope')).toBeUndefined();
  });

  test('a component level applies to its live loggers, their children and later ones, not to others', () => {
    const { levels, root } = setup();
    const worker = root.child({ component: 'worker' });
    const task = worker.child({ task: 0 });
    const herder = root.child({ component: 'herder' });
    expect(levels.set('worker', 'DEBUG')).toEqual(['worker']);
    expect([worker.level, task.level, herder.level]).toEqual(['debug', 'debug', 'info']);
    expect(root.child({ component: 'worker' }).level).toBe('debug');
    expect(levels.get('worker')).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
  });

  test('root sets every logger and clears the component levels', () => {
    const { levels, root } = setup();
    const worker = root.child({ component: 'worker' });
    levels.set('worker', 'TRACE');
    expect(levels.set('root', 'WARN')).toEqual(['root', 'worker']);
    expect([root.level, worker.level, root.child({ component: 'worker' }).level]).toEqual(['warn', 'warn', 'warn']);
    expect(levels.set('root', 'OFF')).toEqual(['root', 'worker']);
    expect(levels.get('root')?.level).toBe('OFF');
  });

  test('parseLogLevel is case-insensitive and rejects unknown names', () => {
    expect(parseLogLevel('debug')).toBe('DEBUG');
    expect(parseLogLevel(' Warn ')).toBe('WARN');
    expect(parseLogLevel('LOUD')).toBeUndefined();
    expect(parseLogLevel(3)).toBeUndefined();
  });

  test('createRootLogger hands every child logger to the registry (scrubbing: connect-secrets.it.spec.ts)', () => {
    const levels = new LogLevels();
    const logger = createRootLogger('t', { level: 'info', levels, scrub: (line) => line.replace('pw1234', '[hidden]') });
    logger.child({ component: 'x' });
    expect(Object.keys(levels.list())).toEqual(['root', 'x']);
  });
});
