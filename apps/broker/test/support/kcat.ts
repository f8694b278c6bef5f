import { runKcat } from '@millrace/testing';

export interface KcatRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  ts: number;
}

interface KcatJson {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  ts: number;
}

/** Reads every partition of `topic` from the beginning to its end with `kcat -C -e -J`. */
export async function kcatReadAll(bootstrap: string, topic: string, timeoutMs = 60_000): Promise<KcatRecord[]> {
  const r = await runKcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], { timeoutMs });
  if (r.code !== 0) throw new Error(`kcat -C ${topic} failed (code ${r.code}, timedOut ${r.timedOut}): ${r.stderr}`);
  return r.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const j = JSON.parse(l) as KcatJson;
      return { partition: j.partition, offset: j.offset, key: j.key, value: j.payload, ts: j.ts };
    });
}
