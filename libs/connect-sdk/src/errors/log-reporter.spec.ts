import type { ConnectorLogger } from '../connector/connector';
import { DataError } from './connect-errors';
import { LogReporter } from './log-reporter';
import { ProcessingContext } from './processing-context';

function logger(): ConnectorLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, warn: () => undefined, debug: () => undefined, error: (m) => void errors.push(m) };
}

function ctx(): ProcessingContext {
  const c = ProcessingContext.forConsumed({ topic: 'orders', partition: 1, offset: 9, timestamp: 5, key: Buffer.from('secret-key'), value: Buffer.from('secret-value'), headers: [] });
  c.position('VALUE_CONVERTER', 'AvroConverter');
  c.fail(new DataError('bad magic byte'));
  return c;
}

describe('LogReporter', () => {
  it('logs coordinates and the error, but not contents, by default', async () => {
    const log = logger();
    await new LogReporter({ logger: log, connectorName: 'sink', taskId: 0, includeMessages: false }).report(ctx());
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toContain("Error encountered in task sink-0. Executing stage 'VALUE_CONVERTER' with class 'AvroConverter', where consumed record is {topic='orders', partition=1, offset=9, timestamp=5}.");
    expect(log.errors[0]).toContain('DataError: bad magic byte');
    expect(log.errors[0]).not.toContain('secret');
  });

  it('includes keys and values with errors.log.include.messages', async () => {
    const log = logger();
    await new LogReporter({ logger: log, connectorName: 'sink', taskId: 0, includeMessages: true }).report(ctx());
    expect(log.errors[0]).toContain('key="secret-key", value="secret-value"');
  });

  it('does nothing for a context that did not fail', async () => {
    const log = logger();
    await new LogReporter({ logger: log, connectorName: 's', taskId: 0, includeMessages: true }).report(ProcessingContext.detached());
    expect(log.errors).toHaveLength(0);
  });
});
