import { createHash } from 'node:crypto';
import type { ConfigValue, Mode, RegistryRecord, SchemaReferenceRecord, SchemaType, SchemaValue } from './registry-records';

/** Which versions a query sees: only live ones, live and soft-deleted, or soft-deleted only. */
export type DeletedFilter = 'exclude' | 'include' | 'only';

/** The schema text an id stands for (the same for every subject/version carrying that id). */
export interface SchemaById {
  id: number;
  schema: string;
  schemaType: SchemaType;
  references: SchemaReferenceRecord[];
}

/**
 * Identity of a schema for id reuse: two registrations get the same id exactly when
 * their type, stored schema text (canonical, or normalized when registered with
 * normalize) and references are equal. A hash, so large schemas are not kept twice.
 */
export function schemaIdentity(schemaType: SchemaType, schema: string, references: readonly SchemaReferenceRecord[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([schemaType, schema, references.map((r) => [r.name, r.subject, r.version])]));
  return h.digest('base64');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The registry's in-memory view of `_schemas`, rebuilt by applying the topic's records in
 * offset order (see registry-records.ts for what each record means). The Kafka store's
 * reader is its only writer; REST handlers only read it.
 *
 * Invariants: an id names one schema text for its whole life; `maxId` never decreases
 * (it counts ids of rows since tombstoned, and ID_WATERMARK records); a subject "exists"
 * while it has at least one version row, live or soft-deleted.
 */
export class SchemaRegistryState {
  private readonly subjects = new Map<string, Map<number, SchemaValue>>();
  private readonly ids = new Map<number, SchemaById & { holders: Map<string, Set<number>> }>();
  private readonly identities = new Map<string, number>();
  private readonly subjectConfigs = new Map<string, ConfigValue>();
  private readonly subjectModes = new Map<string, Mode>();
  private globalConfigValue: ConfigValue | undefined;
  private globalModeValue: Mode | undefined;
  private maxIdValue = 0;
  /** schemaIdentity of each row, computed once (rows are immutable; a change replaces the object). */
  private readonly rowIdentities = new WeakMap<SchemaValue, string>();

  /** Applies one record of `_schemas`, in log order. */
  apply(record: RegistryRecord): void {
    switch (record.key.keytype) {
      case 'SCHEMA': {
        const { subject, version } = record.key;
        if (record.value === null) this.removeVersion(subject, version);
        else this.putVersion(record.value as SchemaValue);
        return;
      }
      case 'CONFIG': {
        const value = record.value as ConfigValue | null;
        if (record.key.subject === null) this.globalConfigValue = value ?? undefined;
        else if (value === null) this.subjectConfigs.delete(record.key.subject);
        else this.subjectConfigs.set(record.key.subject, value);
        return;
      }
      case 'MODE': {
        const value = record.value as { mode: Mode } | null;
        if (record.key.subject === null) this.globalModeValue = value?.mode;
        else if (value === null) this.subjectModes.delete(record.key.subject);
        else this.subjectModes.set(record.key.subject, value.mode);
        return;
      }
      case 'DELETE_SUBJECT': {
        const value = record.value as { subject: string; version: number } | null;
        if (value === null) return;
        const versions = this.subjects.get(value.subject);
        if (!versions) return;
        for (const [v, row] of versions) {
          if (v <= value.version && !row.deleted) versions.set(v, { ...row, deleted: true });
        }
        return;
      }
      case 'CLEAR_SUBJECT': {
        const value = record.value as { subject: string } | null;
        if (value === null) return;
        const targets = value.subject === '' ? [...this.subjects.keys()] : [value.subject];
        for (const subject of targets) {
          for (const [v, row] of [...(this.subjects.get(subject) ?? [])]) if (row.deleted) this.removeVersion(subject, v);
        }
        return;
      }
      case 'ID_WATERMARK': {
        const value = record.value as { maxId: number } | null;
        if (value !== null) this.maxIdValue = Math.max(this.maxIdValue, value.maxId);
        return;
      }
      case 'NOOP':
        return;
    }
  }

  private putVersion(value: SchemaValue): void {
    const previous = this.subjects.get(value.subject)?.get(value.version);
    if (previous && previous.id !== value.id) this.unlinkId(previous);
    let versions = this.subjects.get(value.subject);
    if (!versions) this.subjects.set(value.subject, (versions = new Map()));
    versions.set(value.version, value);
    let entry = this.ids.get(value.id);
    if (!entry) {
      entry = { id: value.id, schema: value.schema, schemaType: value.schemaType, references: value.references, holders: new Map() };
      this.ids.set(value.id, entry);
    }
    let holderVersions = entry.holders.get(value.subject);
    if (!holderVersions) entry.holders.set(value.subject, (holderVersions = new Set()));
    holderVersions.add(value.version);
    const identity = schemaIdentity(value.schemaType, value.schema, value.references);
    if (!this.identities.has(identity)) this.identities.set(identity, value.id);
    this.maxIdValue = Math.max(this.maxIdValue, value.id);
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const row = versions?.get(version);
    if (!versions || !row) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    this.unlinkId(row);
  }

  private unlinkId(row: SchemaValue): void {
    const entry = this.ids.get(row.id);
    if (!entry) return;
    const holderVersions = entry.holders.get(row.subject);
    holderVersions?.delete(row.version);
    if (holderVersions && holderVersions.size === 0) entry.holders.delete(row.subject);
    if (entry.holders.size > 0) return;
    this.ids.delete(row.id);
    const identity = schemaIdentity(entry.schemaType, entry.schema, entry.references);
    if (this.identities.get(identity) === row.id) this.identities.delete(identity);
  }

  /** The schemaIdentity of a stored row (cached). */
  identityOf(row: SchemaValue): string {
    let identity = this.rowIdentities.get(row);
    if (identity === undefined) {
      identity = schemaIdentity(row.schemaType, row.schema, row.references);
      this.rowIdentities.set(row, identity);
    }
    return identity;
  }

  /** Highest id ever assigned (0 when none): the next fresh id is maxId + 1. */
  get maxId(): number {
    return this.maxIdValue;
  }

  /** Subject names with at least one version matching the filter, sorted. */
  subjectNames(filter: DeletedFilter = 'exclude'): string[] {
    const names: string[] = [];
    for (const [subject, versions] of this.subjects) {
      if ([...versions.values()].some((v) => matches(v, filter))) names.push(subject);
    }
    return names.sort(cmp);
  }

  hasSubject(subject: string, includeDeleted: boolean): boolean {
    return this.versionNumbers(subject, includeDeleted ? 'include' : 'exclude').length > 0;
  }

  /** Version numbers of a subject matching the filter, ascending. */
  versionNumbers(subject: string, filter: DeletedFilter = 'exclude'): number[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()]
      .filter((v) => matches(v, filter))
      .map((v) => v.version)
      .sort((a, b) => a - b);
  }

  /** Rows of a subject matching the filter, oldest first. */
  versionRows(subject: string, filter: DeletedFilter = 'exclude'): SchemaValue[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()].filter((v) => matches(v, filter)).sort((a, b) => a.version - b.version);
  }

  /** One version; `-1` is the latest visible one. Soft-deleted rows only with includeDeleted. */
  getVersion(subject: string, version: number, includeDeleted: boolean): SchemaValue | undefined {
    if (version === -1) {
      const rows = this.versionRows(subject, includeDeleted ? 'include' : 'exclude');
      return rows[rows.length - 1];
    }
    const row = this.subjects.get(subject)?.get(version);
    if (!row || (row.deleted && !includeDeleted)) return undefined;
    return row;
  }

  /** Highest version number a subject ever had that is still in the log (0 when none). */
  maxVersion(subject: string): number {
    const versions = this.subjects.get(subject);
    return versions ? Math.max(0, ...versions.keys()) : 0;
  }

  schemaById(id: number): SchemaById | undefined {
    const entry = this.ids.get(id);
    return entry ? { id: entry.id, schema: entry.schema, schemaType: entry.schemaType, references: entry.references } : undefined;
  }

  /** The id already given to this identity (see schemaIdentity), if any row still carries it. */
  idForIdentity(identity: string): number | undefined {
    return this.identities.get(identity);
  }

  /** (subject, version) pairs carrying an id, sorted by subject then version. */
  holdersOfId(id: number, includeDeleted: boolean): { subject: string; version: number }[] {
    const entry = this.ids.get(id);
    if (!entry) return [];
    const out: { subject: string; version: number }[] = [];
    for (const [subject, versions] of entry.holders) {
      for (const version of versions) {
        const row = this.subjects.get(subject)?.get(version);
        if (row && (includeDeleted || !row.deleted)) out.push({ subject, version });
      }
    }
    return out.sort((a, b) => cmp(a.subject, b.subject) || a.version - b.version);
  }

  /** Ids of live schemas whose references name (subject, version), ascending. */
  referencedBy(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const versions of this.subjects.values()) {
      for (const row of versions.values()) {
        if (!row.deleted && row.references.some((r) => r.subject === subject && r.version === version)) ids.add(row.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** All live and soft-deleted rows, for listing schemas. */
  allRows(): SchemaValue[] {
    const rows: SchemaValue[] = [];
    for (const subject of [...this.subjects.keys()].sort(cmp)) rows.push(...this.versionRows(subject, 'include'));
    return rows;
  }

  get globalConfig(): ConfigValue | undefined {
    return this.globalConfigValue;
  }

  subjectConfig(subject: string): ConfigValue | undefined {
    return this.subjectConfigs.get(subject);
  }

  get globalMode(): Mode | undefined {
    return this.globalModeValue;
  }

  subjectMode(subject: string): Mode | undefined {
    return this.subjectModes.get(subject);
  }
}

function matches(row: SchemaValue, filter: DeletedFilter): boolean {
  return filter === 'include' || (filter === 'only' ? row.deleted : !row.deleted);
}
