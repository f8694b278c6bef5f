import type { ConnectorContext, ConnectorLogger, SinkTaskContext, SourceTaskContext } from '../connector/connector';
import type { TopicPartition } from '../record/connect-record';

/** A logger that keeps every line, by level, for assertions. */
export interface RecordingLogger extends ConnectorLogger {
  readonly lines: Array<{ level: 'info' | 'warn' | 'error' | 'debug'; message: string }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
    debug: (message) => void lines.push({ level: 'debug', message }),
  };
}

/** A ConnectorContext that records reconfiguration requests and raised errors. */
export interface TestConnectorContext extends ConnectorContext {
  readonly reconfigurationRequests: number;
  readonly raisedErrors: readonly Error[];
}

export function testConnectorContext(name = 'acceptance'): TestConnectorContext {
  let requests = 0;
  const raised: Error[] = [];
  return {
    name,
    logger: recordingLogger(),
    requestTaskReconfiguration: () => void requests++,
    raiseError: (error) => void raised.push(error),
    get reconfigurationRequests() {
      return requests;
    },
    raisedErrors: raised,
  };
}

/**
 * JSON with object keys sorted at every level: the identity of a source partition, so
 * `{a:1,b:2}` and `{b:2,a:1}` are the same partition (as the offset store sees them).
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/**
 * A SourceTaskContext serving committed offsets from a map keyed by `stableJson` of the
 * source partition (as the runtime would after reading `connect-offsets`).
 */
export function testSourceTaskContext(offsets: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map(), options: { connectorName?: string; taskId?: number } = {}): SourceTaskContext {
  return {
    connectorName: options.connectorName ?? 'acceptance',
    taskId: options.taskId ?? 0,
    logger: recordingLogger(),
    offset: (partition) => offsets.get(stableJson(partition)) ?? null,
  };
}

/** A SinkTaskContext recording pause/resume calls. */
export interface TestSinkTaskContext extends SinkTaskContext {
  readonly paused: TopicPartition[];
  readonly resumed: TopicPartition[];
}

export function testSinkTaskContext(options: { connectorName?: string; taskId?: number } = {}): TestSinkTaskContext {
  const paused: TopicPartition[] = [];
  const resumed: TopicPartition[] = [];
  return {
    connectorName: options.connectorName ?? 'acceptance',
    taskId: options.taskId ?? 0,
    logger: recordingLogger(),
    pause: (tps) => void paused.push(...tps),
    resume: (tps) => void resumed.push(...tps),
    paused,
    resumed,
  };
}
