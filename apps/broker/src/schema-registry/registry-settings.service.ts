import { Injectable } from '@nestjs/common';
import type { CompatibilityLevel } from './avro';
import type { CompatibilityLevelName, ConfigUpdate } from './config-update.dto';
import { KafkaStore } from './kafka-store';
import { RegistryErrors } from './registry-errors';
import type { ConfigValue, Mode, RegistryRecord } from './registry-records';
import { SchemaRegistryState } from './schema-registry.state';

/** A config as `/config` answers it. */
export interface ConfigView {
  compatibilityLevel: string;
  normalize?: boolean;
}

const DEFAULT_LEVEL: CompatibilityLevelName = 'BACKWARD';
const DEFAULT_MODE: Mode = 'READWRITE';

/**
 * The registry's settings, Confluent's `/config` (compatibility level, normalize) and
 * `/mode` (READWRITE, READONLY, IMPORT), globally and per subject, and which of them
 * applies to a subject.
 *
 * Contracts: a subject's own setting wins over the global one, which wins over the
 * default (BACKWARD, normalize off, READWRITE). Like every registry mutation, updates
 * run their checks and their write under the store's write lock and resolve once the
 * write was applied; every call first waits for the store to load (50002 after the
 * ready timeout).
 */
@Injectable()
export class RegistrySettingsService {
  constructor(
    private readonly store: KafkaStore,
    private readonly state: SchemaRegistryState,
  ) {}

  // ---- config ---------------------------------------------------------------------

  async globalConfig(): Promise<ConfigView> {
    await this.store.ready();
    return configView(this.state.globalConfig);
  }

  async subjectConfig(subject: string, defaultToGlobal: boolean): Promise<ConfigView> {
    await this.store.ready();
    const own = this.state.subjectConfig(subject);
    if (own) return configView({ ...(defaultToGlobal ? this.state.globalConfig : {}), ...own });
    if (defaultToGlobal) return configView(this.state.globalConfig);
    throw RegistryErrors.compatibilityNotConfigured(subject);
  }

  /** PUT /config[/{subject}]: merges the update into the existing config row. Returns the update as Confluent echoes it. */
  async updateConfig(subject: string | null, update: ConfigUpdate): Promise<{ compatibility?: string; normalize?: boolean }> {
    await this.store.ready();
    return this.store.exclusive(async () => {
      const current = subject === null ? this.state.globalConfig : this.state.subjectConfig(subject);
      const value: ConfigValue = { ...current, ...update };
      await this.store.append([{ key: { keytype: 'CONFIG', subject }, value }]);
      return {
        ...(update.compatibilityLevel ? { compatibility: update.compatibilityLevel } : {}),
        ...(update.normalize !== undefined ? { normalize: update.normalize } : {}),
      };
    });
  }

  /** DELETE /config[/{subject}]: removes the row and returns the config it held. */
  async deleteConfig(subject: string | null): Promise<ConfigView> {
    await this.store.ready();
    return this.store.exclusive(async () => {
      const current = subject === null ? this.state.globalConfig : this.state.subjectConfig(subject);
      if (subject !== null && !current) {
        if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
        throw RegistryErrors.compatibilityNotConfigured(subject);
      }
      if (current) await this.store.append([{ key: { keytype: 'CONFIG', subject }, value: null }]);
      return configView(current);
    });
  }

  // ---- mode -----------------------------------------------------------------------

  async globalMode(): Promise<{ mode: Mode }> {
    await this.store.ready();
    return { mode: this.state.globalMode ?? DEFAULT_MODE };
  }

  async subjectMode(subject: string, defaultToGlobal: boolean): Promise<{ mode: Mode }> {
    await this.store.ready();
    const own = this.state.subjectMode(subject);
    if (own) return { mode: own };
    if (defaultToGlobal) return { mode: this.state.globalMode ?? DEFAULT_MODE };
    throw RegistryErrors.modeNotConfigured(subject);
  }

  /**
   * PUT /mode[/{subject}]. Entering IMPORT needs no live subject in scope unless `force`;
   * it first writes CLEAR_SUBJECT so soft-deleted versions are forgotten, as Confluent does.
   */
  async updateMode(subject: string | null, mode: Mode, force: boolean): Promise<{ mode: Mode }> {
    await this.store.ready();
    return this.store.exclusive(async () => {
      const records: RegistryRecord[] = [];
      const inScope = subject === null ? (this.state.globalMode ?? DEFAULT_MODE) : this.modeInScope(subject);
      if (mode === 'IMPORT' && inScope !== 'IMPORT') {
        const occupied = subject === null ? this.state.subjectNames('exclude').length > 0 : this.state.hasSubject(subject, false);
        if (occupied && !force) throw RegistryErrors.operationNotPermitted('Cannot import since found existing subjects');
        records.push({ key: { keytype: 'CLEAR_SUBJECT', subject: subject ?? '' }, value: { subject: subject ?? '' } });
      }
      records.push({ key: { keytype: 'MODE', subject }, value: { mode } });
      await this.store.append(records);
      return { mode };
    });
  }

  /** DELETE /mode/{subject}: removes the subject's own mode and returns it. */
  async deleteSubjectMode(subject: string): Promise<{ mode: Mode }> {
    await this.store.ready();
    return this.store.exclusive(async () => {
      const own = this.state.subjectMode(subject);
      if (!own) {
        if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
        throw RegistryErrors.modeNotConfigured(subject);
      }
      await this.store.append([{ key: { keytype: 'MODE', subject }, value: null }]);
      return { mode: own };
    });
  }

  // ---- what applies to a subject (callers hold the state steady: under the lock, or read-only) ----

  levelInScope(subject: string): CompatibilityLevel {
    const level = this.state.subjectConfig(subject)?.compatibilityLevel ?? this.state.globalConfig?.compatibilityLevel ?? DEFAULT_LEVEL;
    return level as CompatibilityLevel;
  }

  normalizeInScope(subject: string): boolean {
    return this.state.subjectConfig(subject)?.normalize ?? this.state.globalConfig?.normalize ?? false;
  }

  modeInScope(subject: string): Mode {
    return this.state.subjectMode(subject) ?? this.state.globalMode ?? DEFAULT_MODE;
  }

  /** When a subject loses its last live version, Confluent drops its own config and mode: the tombstones that do it. */
  subjectSettingsTombstones(subject: string): RegistryRecord[] {
    const out: RegistryRecord[] = [];
    if (this.state.subjectConfig(subject)) out.push({ key: { keytype: 'CONFIG', subject }, value: null });
    if (this.state.subjectMode(subject)) out.push({ key: { keytype: 'MODE', subject }, value: null });
    return out;
  }
}

function configView(c: ConfigValue | undefined): ConfigView {
  return { compatibilityLevel: c?.compatibilityLevel ?? DEFAULT_LEVEL, ...(c?.normalize !== undefined ? { normalize: c.normalize } : {}) };
}
