import { useState } from 'react';
import { registry } from '../api';
import { ErrorLine, Panel, Table } from '../components/ui';
import { usePoll } from '../hooks';

export function Schemas() {
  const subjects = usePoll(() => registry<string[]>('/subjects'), 5000);
  return (
    <Panel title="Schemas" testId="schemas">
      <ErrorLine error={subjects.error} />
      <Table testId="subject-table" headers={['subject']} rows={[...(subjects.data ?? [])].sort().map((s) => [<a key={s} href={`#/schemas/${encodeURIComponent(s)}`}>{s}</a>])} />
    </Panel>
  );
}

interface Version {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

const pretty = (schema: string): string[] => JSON.stringify(JSON.parse(schema), null, 2).split('\n');

/** Versions of a subject, a side-by-side diff of two of them, its compatibility level and a check of a pasted schema. */
export function SubjectPage({ subject }: { subject: string }) {
  const enc = encodeURIComponent(subject);
  const versions = usePoll(() => registry<number[]>(`/subjects/${enc}/versions`), 10_000, [subject]);
  const level = usePoll(() => registry<{ compatibilityLevel: string }>(`/config/${enc}?defaultToGlobal=true`), 10_000, [subject]);
  const list = versions.data ?? [];
  const [left, setLeft] = useState<number | null>(null);
  const [right, setRight] = useState<number | null>(null);
  const l = left ?? (list.length > 1 ? list[list.length - 2] : list[0]);
  const r = right ?? list[list.length - 1];
  const a = usePoll(() => (l === undefined ? Promise.resolve(undefined) : registry<Version>(`/subjects/${enc}/versions/${l}`)), 60_000, [subject, l]);
  const b = usePoll(() => (r === undefined ? Promise.resolve(undefined) : registry<Version>(`/subjects/${enc}/versions/${r}`)), 60_000, [subject, r]);
  const [candidate, setCandidate] = useState('');
  const [verdict, setVerdict] = useState<string | null>(null);
  const check = async (): Promise<void> => {
    try {
      const res = await registry<{ is_compatible: boolean; messages?: string[] }>(`/compatibility/subjects/${enc}/versions/latest?verbose=true`, { method: 'POST', body: JSON.stringify({ schema: candidate }) });
      setVerdict(res.is_compatible ? 'compatible with the latest version' : `NOT compatible: ${(res.messages ?? []).join('; ')}`);
    } catch (e) {
      setVerdict(`error: ${(e as Error).message}`);
    }
  };
  const la = a.data ? pretty(a.data.schema) : [];
  const lb = b.data ? pretty(b.data.schema) : [];
  const inA = new Set(la);
  const inB = new Set(lb);
  const pick = (set: (v: number) => void, value: number | undefined) => (
    <select value={value ?? ''} onChange={(e) => set(Number(e.target.value))}>
      {list.map((v) => <option key={v} value={v}>version {v}</option>)}
    </select>
  );
  return (
    <Panel title={`Subject ${subject}`} testId="subject">
      <ErrorLine error={versions.error ?? level.error} />
      <p>versions {list.join(', ')}; compatibility <b data-testid="compatibility">{level.data?.compatibilityLevel ?? ''}</b></p>
      <div className="diff" data-testid="diff">
        <div>
          {pick(setLeft, l)}
          <pre>{la.map((line, i) => <div key={i} className={inB.has(line) ? '' : 'removed'}>{line}</div>)}</pre>
        </div>
        <div>
          {pick(setRight, r)}
          <pre>{lb.map((line, i) => <div key={i} className={inA.has(line) ? '' : 'added'}>{line}</div>)}</pre>
        </div>
      </div>
      <h3>Check a schema against the latest version</h3>
      <textarea aria-label="candidate schema" rows={8} value={candidate} onChange={(e) => setCandidate(e.target.value)} />
      <button onClick={() => void check()}>Check compatibility</button>
      {verdict && <p data-testid="verdict">{verdict}</p>}
    </Panel>
  );
}
