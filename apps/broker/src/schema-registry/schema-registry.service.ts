import { Injectable } from '@nestjs/common';
import { checkCompatibility } from './avro';
import { KafkaStore } from './kafka-store';
import { RegistryErrors } from './registry-errors';
import type { RegistryRecord, SchemaReferenceRecord, SchemaType, SchemaValue } from './registry-records';
import { RegistrySettingsService } from './registry-settings.service';
import { LATEST_VERSION } from './request-params';
import type { SchemaRequest } from './schema-request.dto';
import { SchemaPreparer, type PreparedSchema } from './schema-preparer';
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

/**
 * Confluent Schema Registry semantics over the `_schemas` store: subjects, versions,
 * schemas by id, registration, deletes and compatibility tests. Settings (`/config`,
 * `/mode`) are RegistrySettingsService's; request validation is SchemaPreparer's.
 *
 * Concurrency: every mutation runs under the store's one FIFO write lock (also taken by
 * settings updates), from its checks to the moment the reader applied its records, so
 * checks always see every earlier write and two registrations can never hand one schema
 * two ids or one id two schemas. Reads take no lock: they see the state as of the last
 * applied record; so does a registration of a schema the subject already holds live
 * (answered before taking the lock, with the same checks repeated under it otherwise).
 * Every call first waits for the store to finish loading (50002 after the ready timeout).
 *
 * Id rules: the same schema identity (type + stored text + references) gets the id it
 * already has under any subject; a new identity gets maxId + 1, so ids are never reused.
 */
@Injectable()
export class SchemaRegistryService {
  private readonly schemas: SchemaPreparer;

  constructor(
    private readonly store: KafkaStore,
    private readonly state: SchemaRegistryState,
    private readonly settings: RegistrySettingsService,
  ) {
    this.schemas = new SchemaPreparer(state);
  }

  // ---- subjects and versions ------------------------------------------------------

  async listSubjects(prefix: string | undefined, filter: DeletedFilter): Promise<string[]> {
    await this.store.ready();
    const names = this.state.subjectNames(filter);
    return prefix ? names.filter((s) => s.startsWith(prefix)) : names;
  }

  async listVersions(subject: string, filter: DeletedFilter): Promise<number[]> {
    await this.store.ready();
    if (!this.state.hasSubject(subject, filter !== 'exclude')) throw RegistryErrors.subjectNotFound(subject);
    return this.state.versionNumbers(subject, filter);
  }

  async getVersion(subject: string, version: number, includeDeleted: boolean): Promise<SchemaVersionView> {
    await this.store.ready();
    return versionView(this.findVersion(subject, version, includeDeleted));
  }

  async referencedBy(subject: string, version: number): Promise<number[]> {
    await this.store.ready();
    const row = this.findVersion(subject, version, true);
    return this.state.referencedBy(row.subject, row.version);
  }

  /** POST /subjects/{subject}: the version of `subject` holding this schema. */
  async lookup(subject: string, request: SchemaRequest, normalizeParam: boolean, includeDeleted: boolean): Promise<SchemaVersionView> {
    await this.store.ready();
    const prepared = this.schemas.prepare(request, normalizeParam || this.settings.normalizeInScope(subject));
    const rows = this.state.versionRows(subject, includeDeleted ? 'include' : 'exclude').reverse();
    const match = rows.find((r) => this.state.identityOf(r) === prepared.identity) ?? this.schemas.findNormalizedMatch(rows, prepared);
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
    await this.store.ready();
    if (!isValidSubject(subject)) throw RegistryErrors.invalidSubject(subject);
    const importing = request.id != null && request.id >= 0;
    this.checkRegisterMode(subject, importing);
    // Parsing needs no lock; neither does answering a schema the subject already holds.
    const normalize = normalizeParam || this.settings.normalizeInScope(subject);
    const prepared = this.schemas.prepare(request, normalize);
    const known = importing ? undefined : this.liveMatch(subject, prepared);
    if (known) return { id: known.id };

    return this.store.exclusive(async () => {
      this.checkRegisterMode(subject, importing);
      const nowNormalize = normalizeParam || this.settings.normalizeInScope(subject);
      const candidate = nowNormalize === normalize ? prepared : this.schemas.prepare(request, nowNormalize);
      for (const ref of candidate.references) this.schemas.pinReference(ref);
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
        this.schemas.input(candidate.stored, candidate.references),
        live.map((r) => this.schemas.input(r.schema, r.references, r.version)),
        this.settings.levelInScope(subject),
      );
      if (!result.compatible) throw RegistryErrors.incompatible(subject, result.messages);

      const id = existingId ?? this.state.maxId + 1;
      await this.store.append([{ key: { keytype: 'SCHEMA', subject, version: nextVersion }, value: this.row(subject, nextVersion, id, candidate) }]);
      return { id };
    });
  }

  /** Confluent's checkRegisterMode: READONLY refuses; an explicit id needs IMPORT, none needs READWRITE (42205). */
  private checkRegisterMode(subject: string, importing: boolean): void {
    const mode = this.settings.modeInScope(subject);
    if (mode === 'READONLY') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    if (importing && mode !== 'IMPORT') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is not in import mode`);
    if (!importing && mode !== 'READWRITE') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is not in read-write mode`);
  }

  /** The newest live version of the subject holding this schema (same identity, or same normalized form with normalize). */
  private liveMatch(subject: string, prepared: PreparedSchema): SchemaValue | undefined {
    const live = this.state.versionRows(subject, 'exclude').reverse();
    return live.find((r) => this.state.identityOf(r) === prepared.identity) ?? this.schemas.findNormalizedMatch(live, prepared);
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
    await this.store.ready();
    return this.store.exclusive(async () => {
      const row = this.state.getVersion(subject, version, permanent || version !== LATEST_VERSION);
      if (row && row.deleted && !permanent) throw RegistryErrors.versionSoftDeleted(subject, row.version);
      if (!row) {
        if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
        throw RegistryErrors.versionNotFound(version);
      }
      if (this.settings.modeInScope(subject) === 'READONLY') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      if (this.state.referencedBy(subject, row.version).length > 0) throw RegistryErrors.referenceExists(subject, row.version);
      if (permanent) {
        if (!row.deleted) throw RegistryErrors.versionNotSoftDeleted(subject, row.version);
        await this.store.append([this.idWatermark(), { key: { keytype: 'SCHEMA', subject, version: row.version }, value: null }]);
        return row.version;
      }
      const records: RegistryRecord[] = [{ key: { keytype: 'SCHEMA', subject, version: row.version }, value: { ...row, deleted: true } }];
      if (this.state.versionRows(subject, 'exclude').length === 1) records.push(...this.settings.subjectSettingsTombstones(subject));
      await this.store.append(records);
      return row.version;
    });
  }

  /** DELETE /subjects/{subject}: soft-deletes every live version, or permanently removes soft-deleted ones. */
  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    await this.store.ready();
    return this.store.exclusive(async () => {
      if (!this.state.hasSubject(subject, true)) throw RegistryErrors.subjectNotFound(subject);
      if (!permanent && !this.state.hasSubject(subject, false)) throw RegistryErrors.subjectSoftDeleted(subject);
      if (this.settings.modeInScope(subject) === 'READONLY') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const rows = this.state.versionRows(subject, permanent ? 'include' : 'exclude');
      for (const r of rows) if (this.state.referencedBy(subject, r.version).length > 0) throw RegistryErrors.referenceExists(subject, r.version);
      if (permanent) {
        if (rows.some((r) => !r.deleted)) throw RegistryErrors.subjectNotSoftDeleted(subject);
        await this.store.append([this.idWatermark(), ...rows.map((r): RegistryRecord => ({ key: { keytype: 'SCHEMA', subject, version: r.version }, value: null }))]);
      } else {
        const last = rows[rows.length - 1].version;
        await this.store.append([{ key: { keytype: 'DELETE_SUBJECT', subject }, value: { subject, version: last } }, ...this.settings.subjectSettingsTombstones(subject)]);
      }
      return rows.map((r) => r.version);
    });
  }

  // ---- schemas by id --------------------------------------------------------------

  async schemaById(id: number, fetchMaxId: boolean): Promise<SchemaByIdView> {
    await this.store.ready();
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
    await this.store.ready();
    if (!this.state.schemaById(id)) throw RegistryErrors.schemaNotFound(id);
    const holders = this.state.holdersOfId(id, includeDeleted).filter((h) => !subjectFilter || h.subject === subjectFilter);
    if (holders.length === 0) throw RegistryErrors.schemaNotFound(id);
    return holders;
  }

  /** GET /schemas: every version (or only each subject's latest), filtered and paged. */
  async listSchemas(prefix: string | undefined, includeDeleted: boolean, latestOnly: boolean, offset: number, limit: number): Promise<SchemaVersionView[]> {
    await this.store.ready();
    let rows = this.state.allRows().filter((r) => (includeDeleted || !r.deleted) && (!prefix || r.subject.startsWith(prefix)));
    if (latestOnly) {
      const latest = new Map<string, SchemaValue>();
      for (const r of rows) latest.set(r.subject, r);
      rows = [...latest.values()];
    }
    return rows.slice(offset, limit > 0 ? offset + limit : undefined).map(versionView);
  }

  // ---- compatibility --------------------------------------------------------------

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: checks the schema against
   * one version (`latest` of a subject without versions is compatible) or, without a
   * version, against all live versions, under the subject's level.
   */
  async testCompatibility(subject: string, version: number | undefined, request: SchemaRequest, verbose: boolean, normalizeParam: boolean): Promise<CompatibilityView> {
    await this.store.ready();
    const prepared = this.schemas.prepare(request, normalizeParam || this.settings.normalizeInScope(subject));
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
      this.schemas.input(prepared.stored, prepared.references),
      previous.map((r) => this.schemas.input(r.schema, r.references, r.version)),
      this.settings.levelInScope(subject),
    );
    return verbose ? { is_compatible: result.compatible, messages: result.messages } : { is_compatible: result.compatible };
  }

  // ---- helpers --------------------------------------------------------------------

  private findVersion(subject: string, version: number, includeDeleted: boolean): SchemaValue {
    const row = this.state.getVersion(subject, version, includeDeleted);
    if (row) return row;
    if (!this.state.hasSubject(subject, includeDeleted)) throw RegistryErrors.subjectNotFound(subject);
    throw RegistryErrors.versionNotFound(version);
  }

  private row(subject: string, version: number, id: number, prepared: PreparedSchema): SchemaValue {
    return { subject, version, id, schemaType: prepared.schemaType, references: prepared.references, schema: prepared.stored, deleted: false };
  }

  private idWatermark(): RegistryRecord {
    return { key: { keytype: 'ID_WATERMARK' }, value: { maxId: this.state.maxId } };
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
