/**
 * Debezium's snapshot signals, as they arrive through a signal table
 * (`signal.data.collection`: columns id, type, data) or the connect REST call:
 *
 *   execute-snapshot  {"data-collections": ["schema.table", ...], "type": "incremental",
 *                      "additional-conditions": [{"data-collection": "schema.table", "filter": "<SQL>"}]}
 *   stop-snapshot     {"data-collections": [...]?, "type": "incremental"}
 *
 * Contract: `parseSignal` returns the signal, or throws SignalError whose message names
 * the bad field. Only incremental snapshots are supported (a `blocking` type is refused
 * with that message). `data-collections` entries are regular expressions matched whole
 * against `schema.table` (Debezium's rule); `matchCollections` resolves them against
 * the captured tables, in the order the signal lists them.
 */
export type SnapshotSignal =
  | { readonly kind: 'execute-snapshot'; readonly id: string; readonly dataCollections: readonly string[]; readonly additionalConditions: ReadonlyMap<string, string> }
  | { readonly kind: 'stop-snapshot'; readonly id: string; readonly dataCollections: readonly string[] | null }
  | { readonly kind: 'other'; readonly id: string; readonly type: string };

export class SignalError extends Error {
  override readonly name = 'SignalError';
}

export const EXECUTE_SNAPSHOT = 'execute-snapshot';
export const STOP_SNAPSHOT = 'stop-snapshot';

export function parseSignal(id: string, type: string, data: string | null): SnapshotSignal {
  if (type !== EXECUTE_SNAPSHOT && type !== STOP_SNAPSHOT) return { kind: 'other', id, type };
  let body: unknown = {};
  if (data !== null && data.trim() !== '') {
    try {
      body = JSON.parse(data);
    } catch {
      throw new SignalError(`signal ${id} (${type}): data is not JSON`);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SignalError(`signal ${id} (${type}): data must be a JSON object`);
  const o = body as Record<string, unknown>;
  const snapshotType = o['type'] === undefined ? 'incremental' : String(o['type']).toLowerCase();
  if (snapshotType !== 'incremental') throw new SignalError(`signal ${id} (${type}): type "${String(o['type'])}" is not supported (only "incremental")`);
  const collections = o['data-collections'];
  if (collections !== undefined && (!Array.isArray(collections) || collections.some((c) => typeof c !== 'string' || c.trim() === ''))) {
    throw new SignalError(`signal ${id} (${type}): data-collections must be a list of table names (schema.table)`);
  }
  const names = (collections as string[] | undefined)?.map((c) => c.trim()) ?? null;
  if (type === STOP_SNAPSHOT) return { kind: 'stop-snapshot', id, dataCollections: names };
  if (names === null || names.length === 0) throw new SignalError(`signal ${id} (${type}): data-collections must name at least one table`);
  for (const n of names) checkPattern(id, type, n);
  return { kind: 'execute-snapshot', id, dataCollections: names, additionalConditions: additionalConditions(id, type, o['additional-conditions']) };
}

function additionalConditions(id: string, type: string, raw: unknown): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new SignalError(`signal ${id} (${type}): additional-conditions must be a list of {"data-collection", "filter"}`);
  raw.forEach((c: unknown, i) => {
    const entry = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    const table = entry['data-collection'];
    const filter = entry['filter'];
    if (typeof table !== 'string' || table.trim() === '') throw new SignalError(`signal ${id} (${type}): additional-conditions[${i}].data-collection must be a table name`);
    if (typeof filter !== 'string' || filter.trim() === '') throw new SignalError(`signal ${id} (${type}): additional-conditions[${i}].filter must be a SQL condition`);
    if (filter.includes(';')) throw new SignalError(`signal ${id} (${type}): additional-conditions[${i}].filter may not hold ";"`);
    out.set(table.trim(), filter.trim());
  });
  return out;
}

function checkPattern(id: string, type: string, pattern: string): void {
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new SignalError(`signal ${id} (${type}): data-collections entry "${pattern}" is not a valid regular expression`);
  }
}

/** The captured tables (qualified `schema.table`) the patterns name, in the patterns' order, each once. */
export function matchCollections(patterns: readonly string[], captured: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const re = new RegExp(`^(?:${p})$`);
    for (const t of captured) if ((t === p || re.test(t)) && !out.includes(t)) out.push(t);
  }
  return out;
}
