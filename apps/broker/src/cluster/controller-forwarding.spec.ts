import { ControllerFencedError, type ClusterController, type ClusterMetadataStore } from '@millrace/cluster-metadata';
import { ElectLeadersApi } from '@millrace/protocol';
import { ClusterMembership } from './cluster-membership';
import { SingleBrokerView } from './cluster-view';
import { ControllerForwarding, NO_CONTROLLER_REACHABLE, STOPPED_BEING_CONTROLLER, type ControllerRoutes } from './controller-forwarding';

const self = { nodeId: 1, host: '127.0.0.1', port: 1, rack: null };
const quiet = { info: () => undefined, warn: () => undefined };
const duty = { name: 'duty' } as unknown as ClusterController;

/** A clustered broker that never joined (no controller known); `runsDuty`: whether it runs the controller duty. */
class TestMembership extends ClusterMembership {
  constructor(private readonly runsDuty: boolean) {
    super({} as ClusterMetadataStore, self, 10_000, quiet);
  }

  override controllerDuty(): ClusterController | null {
    return this.runsDuty ? duty : null;
  }
}

const request = { electionType: 0, topicPartitions: null, timeoutMs: 1000 };
const context = { apiVersion: 1, clientId: 'admin' };

function routes(onController: (d: ClusterController) => Promise<string> = async () => 'controller'): ControllerRoutes<string> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    onController: (d) => {
      calls.push(d === duty ? 'onController(duty)' : 'onController(?)');
      return onController(d);
    },
    single: () => {
      calls.push('single');
      return 'single';
    },
    notController: (message) => {
      calls.push('notController');
      return `not controller: ${message}`;
    },
  };
}

describe('ControllerForwarding.route', () => {
  it('the single broker answers itself', async () => {
    const r = routes();
    await expect(new ControllerForwarding(new SingleBrokerView(self)).route(ElectLeadersApi.apiKey, request, context, r)).resolves.toBe('single');
    expect(r.calls).toEqual(['single']);
  });

  it('the controller answers with its duty', async () => {
    const r = routes();
    await expect(new ControllerForwarding(new TestMembership(true)).route(ElectLeadersApi.apiKey, request, context, r)).resolves.toBe('controller');
    expect(r.calls).toEqual(['onController(duty)']);
  });

  it('a controller fenced while answering says NOT_CONTROLLER; any other error goes up', async () => {
    const fenced = routes(async () => {
      throw new ControllerFencedError({ nodeId: 1, incarnationId: 'x', epoch: 3 });
    });
    const forwarding = new ControllerForwarding(new TestMembership(true));
    await expect(forwarding.route(ElectLeadersApi.apiKey, request, context, fenced)).resolves.toBe(`not controller: ${STOPPED_BEING_CONTROLLER}`);
    const failing = routes(async () => {
      throw new Error('etcd down');
    });
    await expect(forwarding.route(ElectLeadersApi.apiKey, request, context, failing)).rejects.toThrow('etcd down');
    expect(failing.calls).toEqual(['onController(duty)']);
  });

  it('another broker with no controller to forward to says NOT_CONTROLLER, as for a request a broker forwarded already', async () => {
    const forwarding = new ControllerForwarding(new TestMembership(false));
    const r = routes();
    await expect(forwarding.route(ElectLeadersApi.apiKey, request, context, r)).resolves.toBe(`not controller: ${NO_CONTROLLER_REACHABLE}`);
    await expect(forwarding.route(ElectLeadersApi.apiKey, request, { apiVersion: 1, clientId: 'millrace-broker-2' }, r)).resolves.toBe(`not controller: ${NO_CONTROLLER_REACHABLE}`);
    expect(r.calls).toEqual(['notController', 'notController']);
  });
});
