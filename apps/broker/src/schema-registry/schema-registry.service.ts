import { Inject, Injectable } from '@nestjs/common';
import { AsyncMutex } from '@millrace/storage/async-mutex';
import { checkCompatibility, InvalidSchemaError, normalizeReferences, parseAvro, type CompatibilityLevel, type ParsedInput, type SchemaReference } from './avro';
import { type CompatibilityLevelName, type ConfigUpdate } from './config-update.dto';
import { KafkaStore } from './kafka-store';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { RegistryErrors } from './registry-errors';
import type { ConfigValue, Mode, RegistryRecord, SchemaReferenceRecord, SchemaType, SchemaValue } from './registry-records';
import { LATEST_VERSION } from './request-params';
import type { SchemaRequest } from './schema-request.dto';
import { schemaIdentity, SchemaRegistryState, type DeletedFilter } from './schema-registry.state';

/** A subject version as the API returns it (Confluent's `Schema` entity). */
export interface SchemaVersionView {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  references?: SchemaReferenceRecord[];
  schema: string;
}

/** A schema by id (Confluent's `SchemaString`). */
export interface SchemaByIdView {
  schemaType?: SchemaType;
  references?: SchemaReferenceRecord[];
  schema: string;
  maxId?: number;
}

export interface CompatibilityView {
  is_compatible: boolean;
  messages?: string[];
}

const DEFAULT_LEVEL: CompatibilityLevelName = 'BACKWARD';
const DEFAULT_MODE: Mode = 'READWRITE';

/** A candidate schema after validation: the text to store and how it is identified. */
interface PreparedSchema {
  schemaType: SchemaType;
  references: SchemaReferenceRecord[];
  /** What is stored and compared: canonical, or normalized when normalize applies. */
  stored: string;
  normalized: string;
  identity: string;
  /** Whether normalize applied (then stored === normalized). */
  normalize: boolean;
}

/**
 * Confluent Schema Registry semantics over the `_schemas` store.
 *
 * Concurrency: every mutation runs under one FIFO lock, from its checks to the moment the
 * reader applied its records, so checks always see every earlier write and two
 * registrations can never hand one schema two ids or one id two schemas. Reads take no
 * lock: they see the state as of the last applied record; so does a registration of a
 * schema the subject already holds live (answered before taking the lock, with the same
 * checks repeated under it otherwise). Every call first waits for the
 * store to finish loading (50002 after the ready timeout).
 *
 * Id rules: the same schema identity (type + stored text + references) gets the id it
 * already has under any subject; a new identity gets maxId + 1, so ids are never reused.
 */
@Injectable()
export class SchemaRegistryService {
  private readonly lock = new AsyncMutex();

  constructor(
    private readonly store: KafkaStore,
    private readonly state: SchemaRegistryState,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  // ---- subjects and versions ------------------------------------------------------

  async listSubjects(prefix: string | undefined, filter: DeletedFilter): Promise<string[]> {
    await this.ready();
    const names = this.state.subjectNames(filter);
    return prefix ? names.filter((s) => s.startsWith(prefix)) : names;
  }

  async listVersions(subject: string, filter: DeletedFilter): Promise<number[]> {
    await this.ready();
    if (!this.state.hasSubject(subject, filter !== 'exclude')) throw RegistryErrors.subjectNotFound(subject);
    return this.state.versionNumbers(subject, filter);
  }

  async getVersion(subject: string, version: number, includeDeleted: boolean): Promise<SchemaVersionView> {
    await this.ready();
    return versionView(this.findVersion(subject, version, includeDeleted));
  }

  async referencedBy(subject: string, version: number): Promise<number[]> {
    await this.ready();
    const row = this.findVersion(subject, version, true);
    return this.state.referencedBy(row.subject, row.version);
  }

  /** POST /subjects/{subject}: the version of `subject` holding this schema. */
  async lookup(subject: string, request: SchemaRequest, normalizeParam: boolean, includeDeleted: boolean): Promise<SchemaVersionView> {
    await this.ready();
    const prepared = this.prepare(request, normalizeParam || this.normalizeInScope(subject));
    const rows = this.state.versionRows(subject, includeDeleted ? 'include' : 'exclude').reverse();
    const match = rows.find((r) => this.state.identityOf(r) === prepared.identity) ?? this.findNormalizedMatch(rows, prepared);
    if (match) return versionView(match);
    if (!this.state.hasSubject(subject, includeDeleted)) throw RegistryErrors.subjectNotFound(subject);
    throw RegistryErrors.schemaNotFound();
  }

  /**
   * POST /subjects/{subject}/versions. Returns the id. An identical schema already live
   * under the subject returns its id without a new version; otherwise the schema must be
   * compatible with the live versions (not in IMPORT mode) and becomes version max + 1
   * (or the requested version in IMPORT mode).
   */
  async register(subject: string, request: SchemaRequest, normalizeParam: boolean): Promise<{ id: number }> {
    await this.ready();
    if (!isValidSubject(subject)) throw RegistryErrors.invalidSubject(subject);
    const importing = request.id != null && request.id >= 0;
    this.checkRegisterMode(subject, importing);
    // Parsing needs no lock; neither does answering a schema the subject already holds.
    const normalize = normalizeParam || this.normalizeInScope(subject);
    const prepared = this.prepare(request, normalize);
    const known = importing ? undefined : this.liveMatch(subject, prepared);
    if (known) return { id: known.id };

    return this.lock.run(async () => {
      this.checkRegisterMode(subject, importing);
      const nowNormalize = normalizeParam || this.normalizeInScope(subject);
      const candidate = nowNormalize === normalize ? prepared : this.prepare(request, nowNormalize);
      for (const ref of candidate.references) this.pinReference(ref);
      const existingId = this.state.idForIdentity(candidate.identity);
      if (importing) return this.registerImported(subject, request, candidate, existingId);

      const same = this.liveMatch(subject, candidate);
      if (same) return { id: same.id };

      const nextVersion = this.state.maxVersion(subject) + 1;
      if (request.version != null && request.version !== nextVersion) {
        throw RegistryErrors.invalidSchema(`Version ${request.version} is not one more than the latest version ${nextVersion - 1} of subject ${subject}`);
      }
      const live = this.state.versionRows(subject, 'exclude');
      const result = checkCompatibility(
        this.input(candidate.stored, candidate.references),
        live.map((r) => this.input(r.schema, r.references, r.version)),
        this.levelInScope(subject),
      );
      if (!result.compatible) throw RegistryErrors.incompatible(subject, result.messages);

      const id = existingId ?? this.state.maxId + 1;
      await this.store.append([{ key: { keytype: 'SCHEMA', subject, version: nextVersion }, value: this.row(subject, nextVersion, id, candidate) }]);
      return { id };
    });
  }

  /** Confluent's checkRegisterMode: READONLY refuses; an explicit id needs IMPORT, none needs READWRITE (42205). */
  private checkRegisterMode(subject: string, importing: boolean): void {
    const mode = this.modeInScope(subject);
    if (mode === 'READONLY') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    if (importing && mode !== 'IMPORT') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is not in import mode`);
    if (!importing && mode !== 'READWRITE') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is not in read-write mode`);
  }

  /** The newest live version of the subject holding this schema (same identity, or same normalized form with normalize). */
  private liveMatch(subject: string, prepared: PreparedSchema): SchemaValue | undefined {
    const live = this.state.versionRows(subject, 'exclude').reverse();
    return live.find((r) => this.state.identityOf(r) === prepared.identity) ?? this.findNormalizedMatch(live, prepared);
  }

  private async registerImported(subject: string, request: SchemaRequest, prepared: PreparedSchema, existingId: number | undefined): Promise<{ id: number }> {
    const id = request.id as number;
    const version = request.version ?? this.state.maxVersion(subject) + 1;
    if (version < 1) throw RegistryErrors.invalidVersion(String(version));
    if (existingId !== undefined && existingId !== id) throw RegistryErrors.idDoesNotMatch(existingId, id);
    const holder = this.state.schemaById(id);
    if (holder && schemaIdentity(holder.schemaType, holder.schema, holder.references) !== prepared.identity) {
      throw RegistryErrors.operationNotPermitted(`Overwrite new schema with id ${id} is not permitted.`);
    }
    const current = this.state.getVersion(subject, version, false);
    if (current) {
      if (current.id === id) return { id };
      throw RegistryErrors.operationNotPermitted(`Overwrite new schema version ${version} of subject ${subject} is not permitted.`);
    }
    await this.store.append([{ key: { keytype: 'SCHEMA', subject, version }, value: this.row(subject, version, id, prepared) }]);
    return { id };
  }

  /** DELETE /subjects/{subject}/versions/{version}: soft, or permanent after a soft delete. Returns the version. */
  async deleteVersion(subject: string, version: number, permanent: boolean): Promise<number> {
    await this.ready();
    return this.lock.run(async () => {
      const row = this.state.getVersion(subject, version, permanent || version !== LATEST_VERSION);
      if (row && row.deleted && !permanent) throw RegistryErrors.versionSoftDeleted(subject, row.version);
      if (!row) {
        if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
        throw RegistryErrors.versionNotFound(version);
      }
      if (this.modeInScope(subject) === 'READONLY') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      if (this.state.referencedBy(subject, row.version).length > 0) throw RegistryErrors.referenceExists(subject, row.version);
      if (permanent) {
        if (!row.deleted) throw RegistryErrors.versionNotSoftDeleted(subject, row.version);
        await this.store.append([this.idWatermark(), { key: { keytype: 'SCHEMA', subject, version: row.version }, value: null }]);
        return row.version;
      }
      const records: RegistryRecord[] = [{ key: { keytype: 'SCHEMA', subject, version: row.version }, value: { ...row, deleted: true } }];
      if (this.state.versionRows(subject, 'exclude').length === 1) records.push(...this.subjectSettingsTombstones(subject));
      await this.store.append(records);
      return row.version;
    });
  }

  /** DELETE /subjects/{subject}: soft-deletes every live version, or permanently removes soft-deleted ones. */
  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    await this.ready();
    return this.lock.run(async () => {
      if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
      if (!permanent && !this.state.hasSubject(subject, false)) throw RegistryErrors.subjectSoftDeleted(subject);
      if (this.modeInScope(subject) === 'READONLY') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const rows = this.state.versionRows(subject, permanent ? 'include' : 'exclude');
      for (const r of rows) if (this.state.referencedBy(subject, r.version).length > 0) throw RegistryErrors.referenceExists(subject, r.version);
      if (permanent) {
        if (rows.some((r) => !r.deleted)) throw RegistryErrors.subjectNotSoftDeleted(subject);
        await this.store.append([this.idWatermark(), ...rows.map((r): RegistryRecord => ({ key: { keytype: 'SCHEMA', subject, version: r.version }, value: null }))]);
      } else {
        const last = rows[rows.length - 1].version;
        await this.store.append([{ key: { keytype: 'DELETE_SUBJECT', subject }, value: { subject, version: last } }, ...this.subjectSettingsTombstones(subject)]);
      }
      return rows.map((r) => r.version);
    });
  }

  // ---- schemas by id --------------------------------------------------------------

  async schemaById(id: number, fetchMaxId: boolean): Promise<SchemaByIdView> {
    await this.ready();
    const s = this.state.schemaById(id);
    if (!s) throw RegistryErrors.schemaNotFound(id);
    return {
      ...(s.schemaType !== 'AVRO' ? { schemaType: s.schemaType } : {}),
      ...(s.references.length > 0 ? { references: s.references } : {}),
      schema: s.schema,
      ...(fetchMaxId ? { maxId: this.state.maxId } : {}),
    };
  }

  async subjectsOfId(id: number, includeDeleted: boolean, subjectFilter: string | undefined): Promise<string[]> {
    return [...new Set((await this.versionsOfId(id, includeDeleted, subjectFilter)).map((h) => h.subject))];
  }

  async versionsOfId(id: number, includeDeleted: boolean, subjectFilter: string | undefined): Promise<{ subject: string; version: number }[]> {
    await this.ready();
    if (!this.state.schemaById(id)) throw RegistryErrors.schemaNotFound(id);
    const holders = this.state.holdersOfId(id, includeDeleted).filter((h) => !subjectFilter || h.subject === subjectFilter);
    if (holders.length === 0) throw RegistryErrors.schemaNotFound(id);
    return holders;
  }

  /** GET /schemas: every version (or only each subject's latest), filtered and paged. */
  async listSchemas(prefix: string | undefined, includeDeleted: boolean, latestOnly: boolean, offset: number, limit: number): Promise<SchemaVersionView[]> {
    await this.ready();
    let rows = this.state.allRows().filter((r) => (includeDeleted || !r.deleted) && (!prefix || r.subject.startsWith(prefix)));
    if (latestOnly) {
      const latest = new Map<string, SchemaValue>();
      for (const r of rows) latest.set(r.subject, r);
      rows = [...latest.values()];
    }
    return rows.slice(offset, limit > 0 ? offset + limit : undefined).map(versionView);
  }

  // ---- config ---------------------------------------------------------------------

  async globalConfig(): Promise<{ compatibilityLevel: string; normalize?: boolean }> {
    await this.ready();
    return configView(this.state.globalConfig);
  }

  async subjectConfig(subject: string, defaultToGlobal: boolean): Promise<{ compatibilityLevel: string; normalize?: boolean }> {
    await this.ready();
    const own = this.state.subjectConfig(subject);
    if (own) return configView({ ...(defaultToGlobal ? this.state.globalConfig : {}), ...own });
    if (defaultToGlobal) return configView(this.state.globalConfig);
    throw RegistryErrors.compatibilityNotConfigured(subject);
  }

  /** PUT /config[/{subject}]: merges the update into the existing config row. Returns the update as Confluent echoes it. */
  async updateConfig(subject: string | null, update: ConfigUpdate): Promise<{ compatibility?: string; normalize?: boolean }> {
    await this.ready();
    return this.lock.run(async () => {
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
  async deleteConfig(subject: string | null): Promise<{ compatibilityLevel: string; normalize?: boolean }> {
    await this.ready();
    return this.lock.run(async () => {
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
    await this.ready();
    return { mode: this.state.globalMode ?? DEFAULT_MODE };
  }

  async subjectMode(subject: string, defaultToGlobal: boolean): Promise<{ mode: Mode }> {
    await this.ready();
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
    await this.ready();
    return this.lock.run(async () => {
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
    await this.ready();
    return this.lock.run(async () => {
      const own = this.state.subjectMode(subject);
      if (!own) {
        if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
        throw RegistryErrors.modeNotConfigured(subject);
      }
      await this.store.append([{ key: { keytype: 'MODE', subject }, value: null }]);
      return { mode: own };
    });
  }

  // ---- compatibility --------------------------------------------------------------

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: checks the schema against
   * one version (`latest` of a subject without versions is compatible) or, without a
   * version, against all live versions, under the subject's level.
   */
  async testCompatibility(subject: string, version: number | undefined, request: SchemaRequest, verbose: boolean, normalizeParam: boolean): Promise<CompatibilityView> {
    await this.ready();
    const prepared = this.prepare(request, normalizeParam || this.normalizeInScope(subject));
    let previous: SchemaValue[];
    if (version === undefined) {
      previous = this.state.versionRows(subject, 'exclude');
    } else {
      const row = this.state.getVersion(subject, version, false);
      if (!row && version !== LATEST_VERSION) {
        if (!this.state.hasSubject(subject, false)) throw RegistryErrors.subjectNotFound(subject);
        throw RegistryErrors.versionNotFound(version);
      }
      previous = row ? [row] : [];
    }
    const result = checkCompatibility(
      this.input(prepared.stored, prepared.references),
      previous.map((r) => this.input(r.schema, r.references, r.version)),
      this.levelInScope(subject),
    );
    return verbose ? { is_compatible: result.compatible, messages: result.messages } : { is_compatible: result.compatible };
  }

  // ---- helpers --------------------------------------------------------------------

  private ready(): Promise<void> {
    return this.store.ready(this.config.readyTimeoutMs);
  }

  private findVersion(subject: string, version: number, includeDeleted: boolean): SchemaValue {
    const row = this.state.getVersion(subject, version, includeDeleted);
    if (row) return row;
    if (!this.state.hasSubject(subject, includeDeleted)) throw RegistryErrors.subjectNotFound(subject);
    throw RegistryErrors.versionNotFound(version);
  }

  private levelInScope(subject: string): CompatibilityLevel {
    const level = this.state.subjectConfig(subject)?.compatibilityLevel ?? this.state.globalConfig?.compatibilityLevel ?? DEFAULT_LEVEL;
    return level as CompatibilityLevel;
  }

  private normalizeInScope(subject: string): boolean {
    return this.state.subjectConfig(subject)?.normalize ?? this.state.globalConfig?.normalize ?? false;
  }

  private modeInScope(subject: string): Mode {
    return this.state.subjectMode(subject) ?? this.state.globalMode ?? DEFAULT_MODE;
  }

  /** Validates a schema request (type, references, Avro) and computes what would be stored. Throws 42201. */
  private prepare(request: SchemaRequest, normalize: boolean): PreparedSchema {
    const schemaType = (request.schemaType ?? 'AVRO').toUpperCase();
    if (schemaType === 'JSON' || schemaType === 'PROTOBUF') {
      throw RegistryErrors.invalidSchema(`Invalid schema type ${schemaType}: this registry supports only AVRO schemas`);
    }
    if (schemaType !== 'AVRO') throw RegistryErrors.invalidSchema(`Invalid schema type ${request.schemaType}: this registry supports only AVRO schemas`);
    let references = (request.references ?? []).map((r) => this.pinReference(r));
    let parsed: { canonical: string; normalized: string };
    try {
      parsed = parseAvro(request.schema, references, this.resolver, { normalize, referencesOf: this.referencesOf });
    } catch (err) {
      if (err instanceof InvalidSchemaError) throw RegistryErrors.invalidSchema(`Invalid schema: ${err.message}`);
      throw err;
    }
    if (normalize) references = normalizeReferences(references);
    const stored = normalize ? parsed.normalized : parsed.canonical;
    return { schemaType: 'AVRO', references, stored, normalized: parsed.normalized, identity: schemaIdentity('AVRO', stored, references), normalize };
  }

  /** A reference with version -1 means the subject's latest live version at registration. */
  private pinReference(ref: SchemaReferenceRecord): SchemaReferenceRecord {
    const row = this.state.getVersion(ref.subject, ref.version, ref.version !== LATEST_VERSION);
    if (!row) throw RegistryErrors.invalidSchema(`Invalid schema: reference ${ref.name} names subject '${ref.subject}' version ${ref.version}, which does not exist`);
    return { name: ref.name, subject: ref.subject, version: row.version };
  }

  private readonly resolver = (ref: SchemaReference): string | undefined => this.state.getVersion(ref.subject, ref.version, true)?.schema;

  private readonly referencesOf = (ref: SchemaReference): SchemaReference[] => this.state.getVersion(ref.subject, ref.version, true)?.references ?? [];

  private input(schema: string, references: SchemaReferenceRecord[], version?: number): ParsedInput {
    return { schema, references, resolve: this.resolver, referencesOf: this.referencesOf, ...(version !== undefined ? { version } : {}) };
  }

  /** With normalize, a stored version matches when its normalized form equals the candidate's. */
  private findNormalizedMatch(rows: SchemaValue[], prepared: PreparedSchema): SchemaValue | undefined {
    if (!prepared.normalize) return undefined;
    const wanted = schemaIdentity(prepared.schemaType, prepared.normalized, normalizeReferences(prepared.references));
    for (const r of rows) {
      try {
        const n = parseAvro(r.schema, r.references, this.resolver, { normalize: true, referencesOf: this.referencesOf }).normalized;
        if (schemaIdentity(r.schemaType, n, normalizeReferences(r.references)) === wanted) return r;
      } catch (err) {
        if (!(err instanceof InvalidSchemaError)) throw err;
      }
    }
    return undefined;
  }

  private row(subject: string, version: number, id: number, prepared: PreparedSchema): SchemaValue {
    return { subject, version, id, schemaType: prepared.schemaType, references: prepared.references, schema: prepared.stored, deleted: false };
  }

  private idWatermark(): RegistryRecord {
    return { key: { keytype: 'ID_WATERMARK' }, value: { maxId: this.state.maxId } };
  }

  /** When a subject loses its last live version, Confluent drops its own config and mode. */
  private subjectSettingsTombstones(subject: string): RegistryRecord[] {
    const out: RegistryRecord[] = [];
    if (this.state.subjectConfig(subject)) out.push({ key: { keytype: 'CONFIG', subject }, value: null });
    if (this.state.subjectMode(subject)) out.push({ key: { keytype: 'MODE', subject }, value: null });
    return out;
  }
}

/** Confluent refuses empty subject names and names with control characters (42208). */
function isValidSubject(subject: string): boolean {
  if (subject.length === 0) return false;
  for (let i = 0; i < subject.length; i++) if (subject.charCodeAt(i) < 0x20) return false;
  return true;
}

function versionView(r: SchemaValue): SchemaVersionView {
  return {
    subject: r.subject,
    version: r.version,
    id: r.id,
    ...(r.schemaType !== 'AVRO' ? { schemaType: r.schemaType } : {}),
    ...(r.references.length > 0 ? { references: r.references } : {}),
    schema: r.schema,
  };
}

function configView(c: ConfigValue | undefined): { compatibilityLevel: string; normalize?: boolean } {
  return { compatibilityLevel: c?.compatibilityLevel ?? DEFAULT_LEVEL, ...(c?.normalize !== undefined ? { normalize: c.normalize } : {}) };
}
