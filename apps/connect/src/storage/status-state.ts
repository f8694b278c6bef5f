import type { LogRecord } from '@millrace/kafka-log';

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface StatusEntry {
  readonly state: ConnectorState;
  /** The error's stack trace when FAILED; for RUNNING/PAUSED tasks the status message the task reports (missing topics or tables), else null. */
  readonly trace: string | null;
  readonly worker_id: string;
  readonly generation: number;
}

/**
 * Connector and task states as stored in `connect-status`, Kafka Connect's format:
 *
 *   key `status-connector-<name>`    value `{"state", "trace", "worker_id", "generation"}`
 *   key `status-task-<name>-<n>`     same value; null = removed
 *
 * `set*`/`remove*` change the view and return the record to write.
 */
export class StatusState {
  private readonly connectors = new Map<string, StatusEntry>();
  private readonly tasks = new Map<string, Map<number, StatusEntry>>();

  connector(name: string): StatusEntry | undefined {
    return this.connectors.get(name);
  }

  task(name: string, id: number): StatusEntry | undefined {
    return this.tasks.get(name)?.get(id);
  }

  /** Task statuses of a connector by task id, ascending. */
  taskStatuses(name: string): { id: number; status: StatusEntry }[] {
    return [...(this.tasks.get(name)?.entries() ?? [])].sort((a, b) => a[0] - b[0]).map(([id, status]) => ({ id, status }));
  }

  /** The entry a `status-connector-*` / `status-task-*` key holds. */
  entry(key: string): StatusEntry | undefined {
    const task = /^status-task-(.*)-(\d+)$/.exec(key);
    if (task) return this.task(task[1], Number(task[2]));
    return key.startsWith('status-connector-') ? this.connector(key.slice('status-connector-'.length)) : undefined;
  }

  setConnector(name: string, entry: StatusEntry): StatusRecord {
    this.connectors.set(name, entry);
    return { key: `status-connector-${name}`, value: JSON.stringify(entry) };
  }

  setTask(name: string, id: number, entry: StatusEntry): StatusRecord {
    this.taskMap(name).set(id, entry);
    return { key: `status-task-${name}-${id}`, value: JSON.stringify(entry) };
  }

  /** Removes task statuses with id >= fromId. */
  removeTasks(name: string, fromId: number): StatusRecord[] {
    const map = this.tasks.get(name);
    if (!map) return [];
    const out: StatusRecord[] = [];
    for (const id of [...map.keys()]) {
      if (id < fromId) continue;
      map.delete(id);
      out.push({ key: `status-task-${name}-${id}`, value: null });
    }
    return out;
  }

  removeConnector(name: string): StatusRecord[] {
    const out = this.removeTasks(name, 0);
    this.tasks.delete(name);
    if (this.connectors.delete(name)) out.push({ key: `status-connector-${name}`, value: null });
    return out;
  }

  /** Applies one connect-status record; records of one key must come in log order. */
  apply(record: Pick<LogRecord, 'key' | 'value'>): void {
    const value = record.value === null ? null : (JSON.parse(record.value) as StatusEntry);
    const task = /^status-task-(.*)-(\d+)$/.exec(record.key);
    if (task) {
      const map = this.taskMap(task[1]);
      if (value === null) map.delete(Number(task[2]));
      else map.set(Number(task[2]), value);
      return;
    }
    if (record.key.startsWith('status-connector-')) {
      const name = record.key.slice('status-connector-'.length);
      if (value === null) this.connectors.delete(name);
      else this.connectors.set(name, value);
    }
  }

  private taskMap(name: string): Map<number, StatusEntry> {
    let map = this.tasks.get(name);
    if (!map) {
      map = new Map();
      this.tasks.set(name, map);
    }
    return map;
  }
}

export interface StatusRecord {
  readonly key: string;
  readonly value: string | null;
}
