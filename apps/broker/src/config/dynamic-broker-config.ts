import { promises as fs } from 'fs';
import * as path from 'path';
import { ErrorCode } from '@millrace/protocol';
import { InvalidConfigError, logConfigToStrings, parseLogConfig, writeJsonAtomically, type LogConfig } from '@millrace/storage';
import type { BrokerConfig } from './broker-config';
import { BROKER_LOG_SYNONYMS, staticBrokerConfigs, TOPIC_TO_BROKER_NAME } from './broker-config-catalog';

/** Where a dynamic value is set: for this broker (resource name = its id) or as the cluster default (name ''). */
export type BrokerConfigLevel = 'broker' | 'cluster';

/** Where a described value comes from (the handler maps it to Kafka's ConfigSource). */
export type BrokerConfigOrigin = 'broker' | 'cluster' | 'static' | 'default';

export interface BrokerConfigEntry {
  name: string;
  value: string;
  readOnly: boolean;
  origin: BrokerConfigOrigin;
}

export interface BrokerConfigAlterResult {
  errorCode: ErrorCode;
  errorMessage: string | null;
}

interface StoredDoc {
  version: 1;
  broker: Record<string, string>;
  cluster: Record<string, string>;
}

/** Environment variable behind a static config, for the "Cannot update" message. */
const ENV_EXCEPTIONS: Readonly<Record<string, string>> = { 'broker.id': 'MILLRACE_NODE_ID', 'node.id': 'MILLRACE_NODE_ID', 'log.dirs': 'MILLRACE_DATA_DIR' };
const envNameOf = (name: string): string => ENV_EXCEPTIONS[name] ?? 'MILLRACE_' + name.toUpperCase().replace(/\./g, '_');

/**
 * The broker's dynamic configs (see broker-config-catalog.ts for which ones): values set
 * through AlterConfigs / IncrementalAlterConfigs on a BROKER resource, per broker or as
 * cluster default, over the static ones read from the environment.
 *
 * Precedence, as in Kafka: per-broker > cluster default > static (MILLRACE_LOG_*) >
 * Kafka's default. `logDefaults` is the resulting broker-wide topic config default.
 *
 * File: `<dataDir>/meta/broker-configs.json`, `{ "version": 1, "broker": {name: value},
 * "cluster": {name: value} }` with Kafka's broker config names. Each change rewrites it
 * (temp file, fsync, rename, directory fsync) before it takes effect or is answered, so
 * an acknowledged change survives a crash. Changes are serialised. At load, entries that
 * are no longer known or valid are dropped and listed in `warnings`.
 */
export class DynamicBrokerConfig {
  private broker: Record<string, string> = {};
  private cluster: Record<string, string> = {};
  private effectiveLogDefaults: LogConfig;
  private readonly listeners: ((logDefaults: LogConfig) => void)[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  readonly warnings: string[] = [];

  private constructor(
    private readonly file: string,
    private readonly staticConfig: BrokerConfig,
  ) {
    this.effectiveLogDefaults = this.computeLogDefaults(this.broker, this.cluster);
  }

  static async load(staticConfig: BrokerConfig): Promise<DynamicBrokerConfig> {
    const file = path.join(path.resolve(staticConfig.dataDir), 'meta', 'broker-configs.json');
    const dyn = new DynamicBrokerConfig(file, staticConfig);
    let text: string | null = null;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      const doc = JSON.parse(text) as StoredDoc;
      if (doc.version !== 1) throw new Error(`${file}: unknown version ${doc.version}`);
      for (const level of ['cluster', 'broker'] as const) {
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(doc[level] ?? {})) {
          const problem = dyn.valueProblem(name, value);
          if (problem === null) kept[name] = value;
          else dyn.warnings.push(`${file}: dropped ${level} config ${name}=${JSON.stringify(value)}: ${problem}`);
        }
        dyn[level] = kept;
      }
      dyn.effectiveLogDefaults = dyn.computeLogDefaults(dyn.broker, dyn.cluster);
    }
    return dyn;
  }

  /** The broker-wide default of every topic config, dynamic values included. */
  get logDefaults(): LogConfig {
    return this.effectiveLogDefaults;
  }

  /** Calls `listener` with the new log defaults after every change that was applied. */
  onLogDefaultsChange(listener: (logDefaults: LogConfig) => void): void {
    this.listeners.push(listener);
  }

  /**
   * The configs of `level`: for 'broker' every config (static read-only, dynamic with
   * their effective value and origin); for 'cluster' only the cluster defaults set.
   * `keys` limits the answer (null = all).
   */
  describe(level: BrokerConfigLevel, keys: readonly string[] | null): BrokerConfigEntry[] {
    const wanted = (name: string) => keys === null || keys.includes(name);
    if (level === 'cluster') {
      return Object.entries(this.cluster)
        .filter(([name]) => wanted(name))
        .map(([name, value]) => ({ name, value, readOnly: false, origin: 'cluster' as const }));
    }
    const out: BrokerConfigEntry[] = [];
    for (const [name, value] of Object.entries(staticBrokerConfigs(this.staticConfig))) {
      if (wanted(name)) out.push({ name, value, readOnly: true, origin: 'static' });
    }
    const effective = logConfigToStrings(this.effectiveLogDefaults);
    for (const [name, topicName] of Object.entries(BROKER_LOG_SYNONYMS)) {
      if (!wanted(name)) continue;
      const origin: BrokerConfigOrigin =
        name in this.broker ? 'broker' : name in this.cluster ? 'cluster' : topicName in this.staticConfig.logDefaults ? 'static' : 'default';
      out.push({ name, value: effective[topicName], readOnly: false, origin });
    }
    return out;
  }

  /** 'broker' or 'cluster' when the broker-wide default of topic config `topicName` is set dynamically, else null. */
  dynamicOriginOfTopicDefault(topicName: string): 'broker' | 'cluster' | null {
    const name = TOPIC_TO_BROKER_NAME.get(topicName);
    if (name === undefined) return null;
    return name in this.broker ? 'broker' : name in this.cluster ? 'cluster' : null;
  }

  /**
   * Changes the dynamic configs of `level`. `replace` (AlterConfigs) sets exactly
   * `changes` (others return to their lower-precedence value); otherwise
   * (IncrementalAlterConfigs) a value sets and null removes. Static configs answer
   * INVALID_REQUEST "Cannot update these configs dynamically: ..." and unknown names or
   * bad values INVALID_CONFIG; nothing changes then. Resolves after the change is
   * persisted and applied (with validateOnly: after validation only).
   */
  alter(level: BrokerConfigLevel, changes: Record<string, string | null>, replace: boolean, validateOnly: boolean): Promise<BrokerConfigAlterResult> {
    const run = async (): Promise<BrokerConfigAlterResult> => {
      const statics = staticBrokerConfigs(this.staticConfig);
      const names = Object.keys(changes);
      const nonDynamic = names.filter((n) => n in statics);
      if (nonDynamic.length > 0) {
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Cannot update these configs dynamically: ${nonDynamic.join(', ')} (set ${nonDynamic.map(envNameOf).join(', ')} and restart the broker)`,
        };
      }
      const unknown = names.filter((n) => !(n in BROKER_LOG_SYNONYMS));
      if (unknown.length > 0) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown broker config name(s): ${unknown.join(', ')}` };
      const next: Record<string, string> = replace ? {} : { ...this[level] };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) {
          delete next[name];
          continue;
        }
        const problem = this.valueProblem(name, value);
        if (problem !== null) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem };
        next[name] = value;
      }
      const broker = level === 'broker' ? next : this.broker;
      const cluster = level === 'cluster' ? next : this.cluster;
      let logDefaults: LogConfig;
      try {
        logDefaults = this.computeLogDefaults(broker, cluster);
      } catch (err) {
        if (err instanceof InvalidConfigError) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: err.message };
        throw err;
      }
      if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
      await this.persist({ version: 1, broker, cluster });
      this.broker = broker;
      this.cluster = cluster;
      this.effectiveLogDefaults = logDefaults;
      for (const l of this.listeners) l(logDefaults);
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Why `value` is not acceptable for the dynamic config `name`, or null. */
  private valueProblem(name: string, value: string): string | null {
    const topicName = BROKER_LOG_SYNONYMS[name];
    if (topicName === undefined) return `Unknown broker config name: ${name}`;
    try {
      parseLogConfig({ [topicName]: value });
      return null;
    } catch (err) {
      if (!(err instanceof InvalidConfigError)) throw err;
      return err.message.replace(`configuration ${topicName}`, `configuration ${name}`);
    }
  }

  private computeLogDefaults(broker: Record<string, string>, cluster: Record<string, string>): LogConfig {
    const base = parseLogConfig(this.staticConfig.logDefaults);
    const topicNamed = (values: Record<string, string>) =>
      Object.fromEntries(Object.entries(values).map(([name, value]) => [BROKER_LOG_SYNONYMS[name], value]));
    return parseLogConfig({ ...topicNamed(cluster), ...topicNamed(broker) }, base);
  }

  private async persist(doc: StoredDoc): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await writeJsonAtomically(this.file, doc);
  }
}
