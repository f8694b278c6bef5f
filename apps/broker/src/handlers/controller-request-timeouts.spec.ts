import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ClusterController, ElectionResult, ReassignResult } from '@millrace/cluster-metadata';
import { ErrorCode } from '@millrace/protocol';
import { ClusterMembership } from '../cluster/cluster-membership';
import type { BrokerEndpoint } from '../cluster/cluster-view';
import type { TopicManager } from '../metadata/topic-manager';
import { ElectLeadersHandler } from './43-elect-leaders.handler';
import { AlterPartitionReassignmentsHandler } from './45-alter-partition-reassignments.handler';
import type { RequestContext } from './api-handler';

// @nestjs/common ships ES modules only, which jest's runtime cannot load: the handlers'
// decorators are stubbed (no Nest container is involved here).
jest.mock('@nestjs/common', () => ({ Injectable: () => () => undefined, Inject: () => () => undefined, Global: () => () => undefined, Module: () => () => undefined }));

/**
 * ElectLeaders (43) and AlterPartitionReassignments (45) honour the request's timeoutMs:
 * past it the answer is REQUEST_TIMED_OUT, whether the controller's decision runs on this
 * broker or the request was forwarded to a controller that does not answer; a decision
 * in time is answered as usual.
 */
describe('controller requests honour timeoutMs', () => {
  const context: RequestContext = { connectionId: 1, clientHost: '127.0.0.1', clientPort: 1, apiVersion: 0, correlationId: 1, clientId: 'admin' };
  const topics = { get: () => ({ partitions: 2 }) } as unknown as TopicManager;

  /** A clustered broker's view: this broker (node 1) is the controller when `duty` is set, else node 2 at `controller` is. */
  function view(duty: Partial<ClusterController> | null, controller?: BrokerEndpoint): ClusterMembership {
    const v = Object.create(ClusterMembership.prototype) as ClusterMembership;
    Object.defineProperty(v, 'nodeId', { value: 1 });
    Object.defineProperty(v, 'controllerDuty', { value: () => duty });
    Object.defineProperty(v, 'controllerId', { value: () => (duty ? 1 : (controller?.nodeId ?? -1)) });
    Object.defineProperty(v, 'liveBrokers', { value: () => (controller ? [controller] : []) });
    return v;
  }
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

  describe('on the controller', () => {
    it('ElectLeaders: REQUEST_TIMED_OUT for every partition asked once timeoutMs passed', async () => {
      const handler = new ElectLeadersHandler(view({ electLeaders: never }), topics);
      const started = Date.now();
      const r = await handler.handle({ electionType: 0, topicPartitions: [{ topic: 't', partitions: [0, 1] }], timeoutMs: 100 }, context);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      expect(r.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
      expect(r.replicaElectionResults).toEqual([
        {
          topic: 't',
          partitionResult: [0, 1].map((partitionId) => ({ partitionId, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: expect.stringMatching(/timeoutMs \(100 ms\)/) as unknown })),
        },
      ]);
    });

    it('ElectLeaders: a decision within timeoutMs is answered', async () => {
      const results: ElectionResult[] = [{ topic: 't', partition: 0, error: null }];
      const handler = new ElectLeadersHandler(view({ electLeaders: () => Promise.resolve(results) }), topics);
      const r = await handler.handle({ electionType: 0, topicPartitions: [{ topic: 't', partitions: [0] }], timeoutMs: 5000 }, context);
      expect(r).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }] });
    });

    it('AlterPartitionReassignments: REQUEST_TIMED_OUT once timeoutMs passed; a decision in time is answered', async () => {
      const slow = new AlterPartitionReassignmentsHandler(view({ alterReassignments: never }), topics);
      const r = await slow.handle({ timeoutMs: 100, topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3] }] }] }, context);
      expect(r).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: expect.stringMatching(/timeoutMs \(100 ms\)/) as unknown, responses: [] });
      const results: ReassignResult[] = [{ topic: 't', partition: 0, error: null, message: null }];
      const fast = new AlterPartitionReassignmentsHandler(view({ alterReassignments: () => Promise.resolve(results) }), topics);
      const ok = await fast.handle({ timeoutMs: 5000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3] }] }] }, context);
      expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }] });
    });
  });

  describe('forwarded to a controller that never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let controller: BrokerEndpoint;

    beforeAll(async () => {
      // Accepts connections and reads requests, answers nothing.
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.resume();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      controller = { nodeId: 2, host: '127.0.0.1', port: (server.address() as AddressInfo).port, rack: null };
    });

    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('ElectLeaders and AlterPartitionReassignments answer REQUEST_TIMED_OUT after timeoutMs and drop the forwarding connection', async () => {
      const elect = new ElectLeadersHandler(view(null, controller), topics);
      const r = await elect.handle({ electionType: 0, topicPartitions: [{ topic: 't', partitions: [0] }], timeoutMs: 150 }, context);
      expect(r.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
      expect(r.replicaElectionResults[0].partitionResult[0].errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
      const alter = new AlterPartitionReassignmentsHandler(view(null, controller), topics);
      const a = await alter.handle({ timeoutMs: 150, topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2] }] }] }, context);
      expect(a.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
      // Both forwarding connections were closed by the broker side.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sockets.size).toBe(0);
    });
  });
});
