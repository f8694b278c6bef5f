import type { ConnectHeader } from '../record/connect-record';
import { DataError } from './connect-errors';
import { DeadLetterQueueReporter } from './dead-letter-queue-reporter';
import { ProcessingContext } from './processing-context';
import { RetryWithToleranceOperator } from './retry-with-tolerance';

interface Sent {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly ConnectHeader[];
}

function setup(contextHeadersEnabled: boolean) {
  const sent: Sent[] = [];
  const reporter = new DeadLetterQueueReporter({
    topic: 'dlq-orders',
    contextHeadersEnabled,
    connectorName: 'orders-sink',
    taskId: 2,
    send: async (topic, key, value, headers) => void sent.push({ topic, key, value, headers }),
  });
  return { sent, reporter };
}

const headerMap = (headers: readonly ConnectHeader[]): Record<string, string> =>
  Object.fromEntries(headers.map((h) => [h.key, h.value === null ? '' : h.value.toString()]));

function failedContext(): ProcessingContext {
  return ProcessingContext.forConsumed({
    topic: 'orders',
    partition: 3,
    offset: 41,
    timestamp: 1700000000000,
    key: Buffer.from('k1'),
    value: Buffer.from('not json'),
    headers: [{ key: 'trace', value: Buffer.from('abc') }],
  });
}

describe('DeadLetterQueueReporter', () => {
  it('re-publishes the original bytes and headers, plus all __connect.errors.* headers', async () => {
    const { sent, reporter } = setup(true);
    const op = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 1, tolerance: 'all', reporters: [reporter] });
    const ctx = failedContext();
    await op.execute('VALUE_CONVERTER', () => { throw new DataError('Converting byte[] to Kafka Connect data failed'); }, ctx, 'org.apache.kafka.connect.json.JsonConverter');
    expect(sent).toHaveLength(1);
    const [msg] = sent;
    expect(msg.topic).toBe('dlq-orders');
    expect(msg.key?.toString()).toBe('k1');
    expect(msg.value?.toString()).toBe('not json');
    expect(msg.headers.map((h) => h.key)).toEqual([
      'trace',
      '__connect.errors.topic',
      '__connect.errors.partition',
      '__connect.errors.offset',
      '__connect.errors.connector.name',
      '__connect.errors.task.id',
      '__connect.errors.stage',
      '__connect.errors.class.name',
      '__connect.errors.exception.class.name',
      '__connect.errors.exception.message',
      '__connect.errors.exception.stacktrace',
    ]);
    const h = headerMap(msg.headers);
    expect(h).toMatchObject({
      trace: 'abc',
      '__connect.errors.topic': 'orders',
      '__connect.errors.partition': '3',
      '__connect.errors.offset': '41',
      '__connect.errors.connector.name': 'orders-sink',
      '__connect.errors.task.id': '2',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'org.apache.kafka.connect.json.JsonConverter',
      '__connect.errors.exception.class.name': 'DataError',
      '__connect.errors.exception.message': 'Converting byte[] to Kafka Connect data failed',
    });
    expect(h['__connect.errors.exception.stacktrace']).toMatch(/^DataError: Converting byte\[\] .*\n\s+at /);
    expect(msg.headers.every((x) => Buffer.isBuffer(x.value))).toBe(true);
  });

  it('includes the cause chain in the stack trace header', async () => {
    const { reporter } = setup(true);
    const ctx = failedContext();
    ctx.position('TRANSFORMATION', 'X');
    ctx.fail(new Error('outer', { cause: new TypeError('inner') }));
    const h = headerMap(reporter.contextHeaders(ctx));
    expect(h['__connect.errors.exception.stacktrace']).toContain('Caused by: TypeError: inner');
  });

  it('without context headers sends only the original headers', async () => {
    const { sent, reporter } = setup(false);
    const ctx = failedContext();
    ctx.position('TRANSFORMATION', 'X');
    ctx.fail(new DataError('x'));
    await reporter.report(ctx);
    expect(sent[0].headers.map((h) => h.key)).toEqual(['trace']);
  });

  it('ignores source records (dead letter queues are for sinks)', async () => {
    const { sent, reporter } = setup(true);
    const ctx = ProcessingContext.forSource({ topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: 1, timestamp: null, headers: [], sourcePartition: {}, sourceOffset: {} });
    ctx.fail(new DataError('x'));
    await reporter.report(ctx);
    expect(sent).toHaveLength(0);
  });
});
