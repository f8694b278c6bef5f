import { useEffect, useState } from 'react';
import { connect } from '../api';
import { ErrorLine } from '../components/ui';
import { usePoll } from '../hooks';

interface ConfigInfo {
  definition: { name: string; type: string; required: boolean; default_value: string | null; importance: string; documentation: string; group: string | null };
  value: { name: string; value: string | null; errors: string[] };
}

/**
 * A connector created or edited with a form the plugin's own validation generates: choose a
 * plugin, its keys come from `PUT /connector-plugins/{p}/config/validate` (required and
 * high-importance keys first, then the keys the config already has), every change is
 * validated the same way, errors show next to their key; Create posts the config, Save
 * (`existing`: an existing connector's name and config) puts the whole config back —
 * secret values stay `[hidden]`, which keeps the stored ones.
 */
export function CreateConnector({ onDone, existing }: { onDone: () => void; existing?: { name: string; config: Record<string, string> } }) {
  const plugins = usePoll(() => connect<Array<{ class: string; type: string }>>('/connector-plugins'), 60_000);
  const [plugin, setPlugin] = useState(existing?.config['connector.class'] ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [values, setValues] = useState<Record<string, string>>(() => {
    const { name: _n, 'connector.class': _c, ...rest } = existing?.config ?? {};
    return rest;
  });
  const [infos, setInfos] = useState<ConfigInfo[]>([]);
  const [error, setError] = useState<string | null>(null);

  const validate = async (p: string, v: Record<string, string>): Promise<ConfigInfo[]> => {
    const r = await connect<{ configs: ConfigInfo[] }>(`/connector-plugins/${encodeURIComponent(p)}/config/validate`, { method: 'PUT', body: JSON.stringify({ 'connector.class': p, name: name || 'new-connector', ...v }) });
    setInfos(r.configs);
    return r.configs;
  };
  const choose = async (p: string): Promise<void> => {
    setPlugin(p);
    setValues({});
    setError(null);
    if (p) await validate(p, {}).catch((e: Error) => setError(e.message));
  };
  useEffect(() => {
    if (existing && plugin) void validate(plugin, values).catch((e: Error) => setError(e.message));
    // once, for the existing connector's keys
  }, []);
  const create = async (): Promise<void> => {
    setError(null);
    try {
      const configs = await validate(plugin, values);
      const bad = configs.filter((c) => c.value.errors.length > 0 && (c.definition.name in values || c.definition.required) && c.value.value !== '[hidden]');
      if (bad.length > 0) return setError(bad.map((c) => `${c.definition.name}: ${c.value.errors.join('; ')}`).join(' | '));
      const config = { 'connector.class': plugin, ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')) };
      if (existing) await connect(`/connectors/${encodeURIComponent(existing.name)}/config`, { method: 'PUT', body: JSON.stringify(config) });
      else await connect('/connectors', { method: 'POST', body: JSON.stringify({ name, config }) });
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const shown = infos
    .filter((c) => !['name', 'connector.class'].includes(c.definition.name))
    .sort((a, b) => Number(b.definition.required) - Number(a.definition.required) || Number(b.definition.name in values) - Number(a.definition.name in values) || (a.definition.importance === 'HIGH' ? -1 : 0) - (b.definition.importance === 'HIGH' ? -1 : 0))
    .slice(0, Math.max(40, Object.keys(values).length));
  return (
    <form className="create" data-testid={existing ? 'edit-connector' : 'create-connector'} onSubmit={(e) => (e.preventDefault(), void create())}>
      <label>
        name <input name="name" value={name} onChange={(e) => setName(e.target.value)} required disabled={existing !== undefined} />
      </label>
      <label>
        plugin{' '}
        <select name="plugin" value={plugin} onChange={(e) => void choose(e.target.value)} disabled={existing !== undefined}>
          <option value="">choose…</option>
          {(plugins.data ?? []).map((p) => <option key={p.class} value={p.class}>{p.class} ({p.type})</option>)}
        </select>
      </label>
      {shown.map((c) => (
        <label key={c.definition.name} title={c.definition.documentation}>
          {c.definition.name}
          {c.definition.required ? ' *' : ''}{' '}
          <input name={c.definition.name} placeholder={c.definition.default_value ?? ''} value={values[c.definition.name] ?? ''} onChange={(e) => setValues({ ...values, [c.definition.name]: e.target.value })} />
          {c.definition.name in values && c.value.errors.length > 0 ? <em className="error">{c.value.errors.join('; ')}</em> : null}
        </label>
      ))}
      <ErrorLine error={error} />
      <button type="submit" disabled={!plugin || !name}>{existing ? 'Save' : 'Create'}</button>
      <button type="button" onClick={onDone}>Cancel</button>
    </form>
  );
}
