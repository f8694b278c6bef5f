import { parseErrorHandlingConfig } from './error-handling-config';
import { createErrorReporters } from './error-reporters-factory';
import { DeadLetterQueueReporter } from './dead-letter-queue-reporter';
import { LogReporter } from './log-reporter';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

describe('parseErrorHandlingConfig', () => {
  it("applies Kafka Connect's defaults", () => {
    expect(parseErrorHandlingConfig({})).toEqual({
      retryTimeoutMs: 0,
      retryDelayMaxMs: 60000,
      tolerance: 'none',
      logEnable: false,
      logIncludeMessages: false,
      deadLetterQueueTopic: '',
      deadLetterQueueReplicationFactor: 3,
      deadLetterQueueContextHeaders: false,
    });
  });

  it('reads every errors.* key', () => {
    const c = parseErrorHandlingConfig({
      'errors.retry.timeout': '-1',
      'errors.retry.delay.max.ms': '5000',
      'errors.tolerance': 'all',
      'errors.log.enable': 'true',
      'errors.log.include.messages': 'TRUE',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    expect(c).toEqual({ retryTimeoutMs: -1, retryDelayMaxMs: 5000, tolerance: 'all', logEnable: true, logIncludeMessages: true, deadLetterQueueTopic: 'dlq', deadLetterQueueReplicationFactor: 1, deadLetterQueueContextHeaders: true });
  });

  it('reads errors.tolerance case-insensitively, as REST validation accepts it', () => {
    expect(parseErrorHandlingConfig({ 'errors.tolerance': 'ALL' }).tolerance).toBe('all');
  });

  it.each([
    ['errors.tolerance', 'some', 'Invalid value some for configuration errors.tolerance: String must be one of (case insensitive): none, all'],
    ['errors.retry.timeout', '-2', 'Invalid value -2 for configuration errors.retry.timeout: Value must be at least -1'],
    ['errors.retry.timeout', 'soon', 'Invalid value soon for configuration errors.retry.timeout: Not a number of type LONG'],
    ['errors.log.enable', 'yes', 'Invalid value yes for configuration errors.log.enable: Expected value to be either true or false'],
  ])('rejects %s=%s naming the key', (key, value, message) => {
    expect(() => parseErrorHandlingConfig({ [key]: value })).toThrow(expect.objectContaining({ key, message }));
  });
});

describe('createErrorReporters', () => {
  const send = async () => undefined;
  const base = parseErrorHandlingConfig({ 'errors.tolerance': 'all', 'errors.log.enable': 'true', 'errors.deadletterqueue.topic.name': 'dlq' });

  it('creates log then DLQ reporters for a sink', () => {
    const r = createErrorReporters(base, { connectorName: 'c', taskId: 0, connectorType: 'sink', logger, send });
    expect(r.map((x) => x.constructor)).toEqual([LogReporter, DeadLetterQueueReporter]);
  });

  it('ignores the DLQ for a source', () => {
    const r = createErrorReporters(base, { connectorName: 'c', taskId: 0, connectorType: 'source', logger });
    expect(r.map((x) => x.constructor)).toEqual([LogReporter]);
  });

  it('requires a send function for a sink DLQ', () => {
    expect(() => createErrorReporters(base, { connectorName: 'c', taskId: 0, connectorType: 'sink', logger })).toThrow(/dead letter queue/);
  });
});
