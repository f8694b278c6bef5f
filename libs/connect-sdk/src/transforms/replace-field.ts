import type { ConfigDef, ConfigValueType } from '../config/config-def';
import type { ConnectRecord } from '../record/connect-record';
import type { ConnectSchema } from '../record/connect-schema';
import { type RecordSide, sideSchema, sideValue, withSide } from './record-side';
import { SchemaCache, buildStructSchema, mapLike, requireMapEntries, requireStruct } from './struct-support';
import { configList } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import type { Transformation } from './transformation';

const renamesProblem = (value: ConfigValueType): string | null => {
  const items = Array.isArray(value) ? value : [];
  const bad = items.find((item) => !/^[^:]+:[^:]+$/.test(item));
  return bad === undefined ? null : `Invalid rename mapping: ${bad}`;
};

const REPLACE_FIELD_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'exclude', type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Fields to exclude. This takes precedence over the fields to include.' },
    { name: 'include', type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Fields to include. If specified, only these fields will be used.' },
    { name: 'renames', type: 'LIST', default: '', importance: 'MEDIUM', validator: renamesProblem, documentation: 'Field rename mappings, a list of colon-delimited pairs, e.g. foo:bar,abc:xyz' },
    { name: 'blacklist', type: 'LIST', default: '', importance: 'LOW', documentation: 'Deprecated. Use exclude instead.' },
    { name: 'whitelist', type: 'LIST', default: '', importance: 'LOW', documentation: 'Deprecated. Use include instead.' },
  ],
};

/**
 * ReplaceField (`org.apache.kafka.connect.transforms.ReplaceField$Key|$Value`): keeps
 * the fields in `include` (all when empty) that are not in `exclude`, and renames fields
 * by `renames` (`old:new` pairs). `blacklist` / `whitelist` are the deprecated aliases of
 * `exclude` / `include`, used when the new key is not set.
 *
 * With a schema the key/value must be a struct; the new schema keeps the remaining fields
 * in order (renamed), and the schema's name and version. Without a schema the key/value
 * must be a map (Map or plain object; the same kind is returned). Null passes through.
 */
export class ReplaceField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef = REPLACE_FIELD_CONFIG_DEF;
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private readonly schemas = new SchemaCache();

  constructor(private readonly side: RecordSide) {}

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    const pick = (current: string, deprecated: string): string[] => (config[current] !== undefined ? configList(parsed, current) : configList(parsed, deprecated));
    this.exclude = new Set(pick('exclude', 'blacklist'));
    this.include = new Set(pick('include', 'whitelist'));
    this.renames = new Map(configList(parsed, 'renames').map((pair) => pair.split(':') as [string, string]));
  }

  private keeps(field: string): boolean {
    return !this.exclude.has(field) && (this.include.size === 0 || this.include.has(field));
  }

  private renamed(field: string): string {
    return this.renames.get(field) ?? field;
  }

  apply(record: R): R | null {
    const value = sideValue(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = sideSchema(record, this.side);
    if (schema === null) {
      const entries = requireMapEntries(value, 'field replacement').filter(([k]) => this.keeps(k));
      return withSide(record, this.side, null, mapLike(value, entries.map(([k, v]) => [this.renamed(k), v])));
    }
    const struct = requireStruct(schema, value, 'field replacement');
    const updatedSchema = this.schemas.get(schema, (s) => this.updateSchema(s));
    const updated: Record<string, unknown> = {};
    for (const f of schema.fields ?? []) {
      if (this.keeps(f.name)) updated[this.renamed(f.name)] = struct[f.name] ?? null;
    }
    return withSide(record, this.side, updatedSchema, updated);
  }

  private updateSchema(schema: ConnectSchema): ConnectSchema {
    const fields = (schema.fields ?? []).filter((f) => this.keeps(f.name)).map((f) => ({ name: this.renamed(f.name), schema: f.schema }));
    return buildStructSchema(schema, fields);
  }
}
