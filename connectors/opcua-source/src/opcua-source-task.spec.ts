import type { SourceTaskContext } from '@millrace/connect-sdk';
import type { DataChange } from './opcua-record';
import { OpcUaSourceTask } from './opcua-source-task';
import type { SubscriberEvents } from './opcua-subscriber';

/** A subscriber that publishes the current values while it is starting, as a server's first publish can. */
jest.mock('./opcua-subscriber', () => ({
  OpcUaSubscriber: class {
    readonly nodeIds = ['ns=2;s=A', 'ns=2;s=B'];
    constructor(
      _config: unknown,
      private readonly events: SubscriberEvents,
    ) {}
    async start(): Promise<void> {
      for (const nodeId of this.nodeIds) this.events.onChange(change(nodeId, 21.5, 1000));
    }
    async stop(): Promise<void> {}
  },
}));

function change(nodeId: string, value: number, ts: number): DataChange {
  return { nodeId, dataType: 'Double', value, statusCode: 'Good', statusCodeValue: 0, sourceTimestamp: new Date(ts), serverTimestamp: new Date(ts) };
}

describe('opcua-source task', () => {
  it('drops a recorded value even when it arrives before the subscriber finished starting', async () => {
    const endpoint = 'opc.tcp://plc:4840';
    const stored: Record<string, Record<string, unknown>> = { 'ns=2;s=A': { source_ts: 1000, value: '21.5' } };
    const context = {
      connectorName: 'plc',
      taskId: 0,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
      offset: (p: Readonly<Record<string, unknown>>) => (p.endpoint === endpoint ? (stored[String(p.node)] ?? null) : null),
    } as unknown as SourceTaskContext;
    const task = new OpcUaSourceTask();
    await task.open({ 'opcua.endpoint.url': endpoint, 'opcua.node.ids': 'ns=2;s=A,ns=2;s=B', 'kafka.topic': 'plant' }, context);
    const records = await task.read(10);
    expect(records.map((r) => r.key)).toEqual(['ns=2;s=B']);
    await task.teardown();
  });
});
