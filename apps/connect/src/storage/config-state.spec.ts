import { ConfigState } from './config-state';

const store = () => new ConfigState();
const rec = (key: string, value: unknown) => ({ key, value: value === null ? null : JSON.stringify(value) });

describe('ConfigState (connect-configs record format)', () => {
  test('connector config, committed task configs and target state build the snapshot', () => {
    const s = store();
    s.apply(rec('connector-a', { properties: { 'connector.class': 'X', 'tasks.max': 2 } }));
    expect(s.connector('a')).toEqual({ name: 'a', config: { 'connector.class': 'X', 'tasks.max': '2' }, targetState: 'STARTED', taskConfigs: [] });
    s.apply(rec('task-a-0', { properties: { t: '0' } }));
    s.apply(rec('task-a-1', { properties: { t: '1' } }));
    expect(s.connector('a')?.taskConfigs).toEqual([]);
    s.apply(rec('commit-a', { tasks: 2 }));
    expect(s.connector('a')?.taskConfigs).toEqual([{ t: '0' }, { t: '1' }]);
    s.apply(rec('target-state-a', { state: 'PAUSED', 'state.v2': 'STOPPED' }));
    expect(s.connector('a')?.targetState).toBe('STOPPED');
    s.apply(rec('target-state-a', { state: 'PAUSED' }));
    expect(s.connector('a')?.targetState).toBe('PAUSED');
    s.apply(rec('commit-a', { tasks: 0 }));
    expect(s.connector('a')?.taskConfigs).toEqual([]);
  });

  test('a connector name with dashes keeps its task keys apart', () => {
    const s = store();
    s.apply(rec('connector-my-conn-1', { properties: { a: 'b' } }));
    s.apply(rec('task-my-conn-1-0', { properties: { x: 'y' } }));
    s.apply(rec('commit-my-conn-1', { tasks: 1 }));
    expect(s.connector('my-conn-1')?.taskConfigs).toEqual([{ x: 'y' }]);
  });

  test('a target state written before the config (initial state) applies to it; tombstones delete', () => {
    const s = store();
    s.apply(rec('target-state-b', { state: 'PAUSED', 'state.v2': 'PAUSED' }));
    expect(s.connector('b')).toBeUndefined();
    s.apply(rec('connector-b', { properties: {} }));
    expect(s.connector('b')?.targetState).toBe('PAUSED');
    expect(s.connectorNames()).toEqual(['b']);
    s.apply(rec('connector-b', null));
    expect(s.connector('b')).toBeUndefined();
    expect(s.connectorNames()).toEqual([]);
  });

  test('a commit naming a missing task config is rejected', () => {
    const s = store();
    s.apply(rec('connector-c', { properties: {} }));
    expect(() => s.apply(rec('commit-c', { tasks: 1 }))).toThrow(/task 0 is missing/);
  });

  test('the decoder sees every connector and task config with its connector name', () => {
    const seen: string[] = [];
    const s = new ConfigState((connector, properties) => {
      seen.push(connector);
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v.replace('$enc:', '')]));
    });
    s.apply(rec('connector-a-b', { properties: { pw: '$enc:x' } }));
    s.apply(rec('task-a-b-0', { properties: { pw: '$enc:y' } }));
    s.apply(rec('commit-a-b', { tasks: 1 }));
    expect(s.connector('a-b')).toMatchObject({ config: { pw: 'x' }, taskConfigs: [{ pw: 'y' }] });
    expect(seen).toEqual(['a-b', 'a-b']);
  });
});
