import { StatusState } from './status-state';

const store = () => new StatusState();

describe('StatusState (connect-status record format)', () => {
  test('status-connector-<name> and status-task-<name>-<n> records are loaded', () => {
    const s = store();
    const entry = { state: 'RUNNING', trace: null, worker_id: 'old:8083', generation: 3 };
    s.apply({ key: 'status-connector-my-src', value: JSON.stringify(entry) });
    s.apply({ key: 'status-task-my-src-1', value: JSON.stringify({ ...entry, state: 'FAILED', trace: 'boom' }) });
    s.apply({ key: 'status-task-my-src-0', value: JSON.stringify(entry) });
    expect(s.connector('my-src')).toEqual(entry);
    expect(s.taskStatuses('my-src').map((t) => [t.id, t.status.state])).toEqual([
      [0, 'RUNNING'],
      [1, 'FAILED'],
    ]);
    s.apply({ key: 'status-task-my-src-1', value: null });
    expect(s.task('my-src', 1)).toBeUndefined();
  });

  test('changes return the records to write; removing a connector tombstones it and its tasks', () => {
    const s = store();
    const entry = { state: 'FAILED' as const, trace: 'Error: x', worker_id: 'w', generation: 1 };
    expect(s.setConnector('c', entry)).toEqual({ key: 'status-connector-c', value: JSON.stringify(entry) });
    expect(s.setTask('c', 2, entry).key).toBe('status-task-c-2');
    s.setTask('c', 0, entry);
    expect(s.removeTasks('c', 1)).toEqual([{ key: 'status-task-c-2', value: null }]);
    expect(s.removeConnector('c')).toEqual([
      { key: 'status-task-c-0', value: null },
      { key: 'status-connector-c', value: null },
    ]);
    expect(s.connector('c')).toBeUndefined();
  });
});
