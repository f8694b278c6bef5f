import type { Registry } from 'prom-client';

/**
 * One reading of a prom-client registry: every sample of every counter and gauge
 * (histograms and summaries are left out: no rule reads them), with its labels.
 */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricsSnapshot {
  readonly at: number;
  readonly metrics: ReadonlyMap<string, readonly Sample[]>;
}

export async function snapshotOf(registries: readonly Registry[], at: number = Date.now()): Promise<MetricsSnapshot> {
  const metrics = new Map<string, Sample[]>();
  for (const registry of registries) {
    for (const m of await registry.getMetricsAsJSON()) {
      const type = String(m.type);
      if (type !== 'counter' && type !== 'gauge') continue;
      const list = metrics.get(m.name) ?? [];
      for (const v of m.values) list.push({ labels: Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)])), value: v.value });
      metrics.set(m.name, list);
    }
  }
  return { at, metrics };
}

/** The samples of `name` summed by the given labels (PromQL's `sum by (...)`). */
export function sumBy(snapshot: MetricsSnapshot, name: string, by: readonly string[]): Map<string, { labels: Record<string, string>; value: number }> {
  const out = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const s of snapshot.metrics.get(name) ?? []) {
    const labels = Object.fromEntries(by.map((l) => [l, s.labels[l] ?? '']));
    const key = JSON.stringify(labels);
    const cur = out.get(key);
    if (cur) cur.value += s.value;
    else out.set(key, { labels, value: s.value });
  }
  return out;
}
