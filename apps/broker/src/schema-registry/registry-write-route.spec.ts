import { forwardRetriable, routeWrite, writeOperationOf, type WriteRouteInput } from './registry-write-route';

describe('writeOperationOf', () => {
  it.each([
    ['POST', '/subjects/orders-value/versions', 'register schema'],
    ['POST', '/subjects/a%2Fb/versions/', 'register schema'],
    ['DELETE', '/subjects/orders-value', 'delete subject'],
    ['DELETE', '/subjects/orders-value/versions/latest', 'delete schema version'],
    ['PUT', '/config', 'update config'],
    ['PUT', '/config/orders-value', 'update config'],
    ['DELETE', '/config/orders-value', 'delete config'],
    ['put', '/mode', 'update mode'],
    ['DELETE', '/mode/orders-value', 'delete mode'],
  ])('%s %s is the %s write', (method, path, operation) => {
    expect(writeOperationOf(method, path)).toBe(operation);
  });

  it.each([
    ['GET', '/subjects/orders-value/versions'],
    ['POST', '/subjects/orders-value'],
    ['POST', '/compatibility/subjects/orders-value/versions/latest'],
    ['GET', '/schemas/ids/1'],
    ['GET', '/config'],
    ['GET', '/mode/orders-value'],
    ['DELETE', '/subjects/orders-value/versions'],
    ['PUT', '/config/a/b'],
    ['DELETE', '/schemas/ids/1'],
  ])('%s %s is not a write', (method, path) => {
    expect(writeOperationOf(method, path)).toBeUndefined();
  });
});

describe('routeWrite', () => {
  const base: WriteRouteInput = { clustered: true, selfId: 1, leaderId: 2, leaderHttp: { host: 'b2', port: 8082 }, forwarded: false };

  it('writes locally on the single broker, whatever the leader records say', () => {
    expect(routeWrite({ ...base, clustered: false, leaderId: undefined, forwarded: true })).toEqual({ kind: 'local' });
  });

  it('writes locally on the leader, forwarded or not', () => {
    expect(routeWrite({ ...base, leaderId: 1 })).toEqual({ kind: 'local' });
    expect(routeWrite({ ...base, leaderId: 1, forwarded: true })).toEqual({ kind: 'local' });
  });

  it("forwards to the leader's HTTP endpoint from any other broker", () => {
    expect(routeWrite(base)).toEqual({ kind: 'forward', nodeId: 2, host: 'b2', port: 8082 });
  });

  it('is unavailable without a leader', () => {
    expect(routeWrite({ ...base, leaderId: undefined }).kind).toBe('unavailable');
    expect(routeWrite({ ...base, leaderId: -1 }).kind).toBe('unavailable');
  });

  it('never forwards a forwarded request a second time', () => {
    const r = routeWrite({ ...base, forwarded: true });
    expect(r).toEqual({ kind: 'unavailable', reason: expect.stringContaining('no longer the schema registry leader') });
  });

  it('is unavailable when the leader published no HTTP endpoint (dead, or an older broker)', () => {
    const r = routeWrite({ ...base, leaderHttp: undefined });
    expect(r).toEqual({ kind: 'unavailable', reason: expect.stringContaining('broker 2') });
  });
});

describe('forwardRetriable', () => {
  it('retries what certainly wrote nothing: a refused connection, or a 50003 answer', () => {
    expect(forwardRetriable({ errorCode: 'ECONNREFUSED' })).toBe(true);
    expect(forwardRetriable({ status: 500, body: '{"error_code":50003,"message":"not the leader"}' })).toBe(true);
  });

  it('answers the rest as is: the write may have happened, or the client erred', () => {
    expect(forwardRetriable({ errorCode: 'ECONNRESET' })).toBe(false);
    expect(forwardRetriable({ errorCode: 'ABORT_ERR' })).toBe(false);
    expect(forwardRetriable({ status: 500, body: '{"error_code":50002,"message":"timeout"}' })).toBe(false);
    expect(forwardRetriable({ status: 500, body: 'not json' })).toBe(false);
    expect(forwardRetriable({ status: 409, body: '{"error_code":409}' })).toBe(false);
    expect(forwardRetriable({ status: 200, body: '{"id":1}' })).toBe(false);
  });
});
