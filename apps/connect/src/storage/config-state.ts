import type { LogRecord } from '@millrace/kafka-log';

/** What a connector should be doing, as stored in connect-configs. */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface ConnectorSnapshot {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
  readonly targetState: TargetState;
  /** Committed task configs (empty until the connector generated them, and while STOPPED). */
  readonly taskConfigs: readonly Readonly<Record<string, string>>[];
}

interface MutableConnector {
  config: Record<string, string> | null;
  targetState: TargetState;
  taskConfigs: Record<string, string>[];
  /** task-<name>-<n> records seen since the last commit-<name>. */
  staged: Map<number, Record<string, string>>;
}

/**
 * Turns stored properties into the config the worker uses (decrypts secret values);
 * `connector` names the connector the record belongs to.
 */
export type PropertiesDecoder = (connector: string, properties: Record<string, string>) => Record<string, string>;

/**
 * Connector configs, task configs and target states in the compacted topic
 * `connect-configs` (1 partition), in Kafka Connect's record format:
 *
 *   key `connector-<name>`     value `{"properties": {<config>}}`, null = connector deleted
 *   key `task-<name>-<n>`      value `{"properties": {<task config>}}` (staged until committed)
 *   key `commit-<name>`        value `{"tasks": <count>}`: tasks 0..count-1 become current
 *   key `target-state-<name>`  value `{"state": "STARTED"|"PAUSED", "state.v2": "STARTED"|"PAUSED"|"STOPPED"}`
 *                              (STOPPED is written as "PAUSED" in `state` for old readers)
 *   key `restart-connector-<name>` value `{"include-tasks": bool, "only-failed": bool}`: a restart
 *                              request for the worker running the connector (not part of the view)
 *   key `restart-task-<name>-<n>`  value `{}`: restart request of one task (Millrace's own key;
 *                              Kafka Connect's workers skip it as unknown)
 *
 * Property values may be encrypted envelopes (secrets/secret-cipher.ts); the decoder
 * given to the constructor decrypts them as records are applied.
 *
 * ConfigState is the in-memory view, rebuilt from the topic by applying its records in
 * order; ConfigStore (config-store.ts) owns the topic.
 */
export class ConfigState {
  private readonly connectorsByName = new Map<string, MutableConnector>();

  constructor(private readonly decode: PropertiesDecoder = (_, properties) => properties) {}

  /** Names of the existing connectors, sorted. */
  connectorNames(): string[] {
    return [...this.connectorsByName.entries()].filter(([, c]) => c.config !== null).map(([n]) => n).sort();
  }

  connector(name: string): ConnectorSnapshot | undefined {
    const c = this.connectorsByName.get(name);
    if (!c || c.config === null) return undefined;
    return { name, config: { ...c.config }, targetState: c.targetState, taskConfigs: c.taskConfigs.map((t) => ({ ...t })) };
  }

  /** Applies one connect-configs record; records must come in log order. */
  apply(record: Pick<LogRecord, 'key' | 'value'>): void {
    const { key, value } = record;
    const parsed = value === null ? null : (JSON.parse(value) as Record<string, unknown>);
    if (key.startsWith('connector-')) {
      const name = key.slice('connector-'.length);
      if (parsed === null) {
        this.connectorsByName.delete(name);
        return;
      }
      this.entry(name).config = this.decode(name, stringMap(parsed.properties));
    } else if (key.startsWith('target-state-')) {
      const name = key.slice('target-state-'.length);
      if (parsed === null) {
        const c = this.connectorsByName.get(name);
        if (c) c.targetState = 'STARTED';
        return;
      }
      const state = String(parsed['state.v2'] ?? parsed.state);
      if (state !== 'STARTED' && state !== 'PAUSED' && state !== 'STOPPED') throw new Error(`unknown target state ${state}`);
      this.entry(name).targetState = state;
    } else if (key.startsWith('task-')) {
      if (parsed === null) return;
      const m = /^task-(.*)-(\d+)$/.exec(key);
      if (!m) throw new Error(`malformed task key ${key}`);
      this.entry(m[1]).staged.set(Number(m[2]), this.decode(m[1], stringMap(parsed.properties)));
    } else if (key.startsWith('commit-')) {
      if (parsed === null) return;
      const c = this.entry(key.slice('commit-'.length));
      const count = Number(parsed.tasks);
      const tasks: Record<string, string>[] = [];
      for (let i = 0; i < count; i++) {
        const t = c.staged.get(i);
        if (!t) throw new Error(`${key} commits ${count} tasks but task ${i} is missing`);
        tasks.push(t);
      }
      c.taskConfigs = tasks;
      c.staged.clear();
    }
  }

  private entry(name: string): MutableConnector {
    let c = this.connectorsByName.get(name);
    if (!c) {
      c = { config: null, targetState: 'STARTED', taskConfigs: [], staged: new Map() };
      this.connectorsByName.set(name, c);
    }
    return c;
  }
}

/** The connect-configs record of a target state. */
export function targetStateRecord(name: string, state: TargetState): { key: string; value: string } {
  return { key: `target-state-${name}`, value: JSON.stringify({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state }) };
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) throw new Error('expected an object of properties');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}
