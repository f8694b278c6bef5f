import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { ALERT_RULES } from './alert-rules';
import { renderPrometheusRules } from './prometheus-rules';

/**
 * ops/: the Prometheus rule file is the catalogue's rendering (never edited apart), it
 * passes `promtool check rules` (Debian's prometheus package, installed by
 * scripts/ensure-test-deps.sh), and every metric the rules and the Grafana dashboard
 * query is one the broker or connect really exports (declared in their source); the
 * dashboard validates against a schema of Grafana's dashboard model (zod, at the end).
 */
const root = path.join(__dirname, '..', '..', '..');
const RULES = path.join(root, 'ops', 'prometheus', 'millrace-alerts.yml');
const DASHBOARD = path.join(root, 'ops', 'grafana', 'millrace-dashboard.json');

function declaredMetrics(): Set<string> {
  const out = new Set<string>();
  const p = path.join;
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      // libs/alerts is where the queries are written, not where metrics are declared
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.') || p(dir, e.name) === path.join(root, 'libs', 'alerts')) continue;
      const file = p(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) for (const m of fs.readFileSync(file, 'utf8').matchAll(/['`](millrace_[a-z0-9_]+)['`]/g)) out.add(m[1]);
    }
  };
  for (const d of ['apps', 'libs', 'connectors']) walk(path.join(root, d));
  return out;
}

function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(millrace_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, ''));
}

describe('ops files', () => {
  it('the Prometheus rule file is the rendering of the rule catalogue', () => {
    expect(fs.readFileSync(RULES, 'utf8')).toBe(renderPrometheusRules());
  });

  it('promtool accepts the rules', () => {
    const out = execFileSync('/usr/bin/promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`SUCCESS: ${ALERT_RULES.length} rules found`));
  });

  it('rules and dashboard query only metrics the apps export', () => {
    const known = declaredMetrics();
    expect(known.has('millrace_group_lag')).toBe(true);
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { title: string; uid: string; panels: Array<{ id: number; type: string; title: string; targets: Array<{ expr: string }> }> };
    const exprs = [...ALERT_RULES.map((r) => r.promql), ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
    const unknown = [...new Set(exprs.flatMap(metricsIn))].filter((m) => !known.has(m));
    expect(unknown).toEqual([]);
  });

  it('the dashboard validates against the Grafana dashboard model (schema below) and its panels tile the 24-column grid without overlap', () => {
    const parsed = GRAFANA_DASHBOARD.safeParse(JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')));
    expect(parsed.error?.issues ?? []).toEqual([]);
    const d = parsed.data!;
    expect(d).toMatchObject({ title: 'Millrace', uid: 'millrace-overview' });
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    const overlaps = (a: GridPos, b: GridPos): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const clashes = d.panels.flatMap((a, i) => d.panels.slice(i + 1).filter((b) => overlaps(a.gridPos, b.gridPos)).map((b) => `${a.title} / ${b.title}`));
    expect(clashes).toEqual([]);
  });

  it('the schema check can fail: a panel without queries, a panel wider than the grid and an unknown panel type are each refused', () => {
    const good = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Array<Record<string, unknown>> };
    const broken = (change: (panel: Record<string, unknown>) => void): string[] => {
      const copy = structuredClone(good);
      change(copy.panels[0]);
      return (GRAFANA_DASHBOARD.safeParse(copy).error?.issues ?? []).map((i) => i.path.join('.'));
    };
    expect(broken((p) => (p.targets = []))).toEqual(['panels.0.targets']);
    expect(broken((p) => (p.gridPos = { x: 20, y: 0, w: 6, h: 4 }))).toEqual(['panels.0.gridPos']);
    expect(broken((p) => (p.type = 'pie-of-the-day'))).toEqual(['panels.0.type']);
  });
});

/**
 * The part of Grafana's dashboard JSON model (schemaVersion 36+, as Grafana documents it)
 * that the shipped dashboard uses, as a schema: what Grafana needs to import it.
 */
const GRID_COLUMNS = 24;
const GRID_POS = z
  .object({ x: z.int().min(0).max(GRID_COLUMNS - 1), y: z.int().min(0), w: z.int().min(1).max(GRID_COLUMNS), h: z.int().min(1) })
  .refine((g) => g.x + g.w <= GRID_COLUMNS, { message: `x + w must be at most ${GRID_COLUMNS}` });
type GridPos = z.infer<typeof GRID_POS>;
const DATASOURCE_REF = z.object({ type: z.literal('prometheus'), uid: z.string().min(1) });
const GRAFANA_DASHBOARD = z.object({
  title: z.string().min(1),
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  schemaVersion: z.int().min(36),
  version: z.int().min(0),
  editable: z.boolean(),
  time: z.object({ from: z.string().min(1), to: z.string().min(1) }),
  refresh: z.string().regex(/^\d+[smhd]$/),
  tags: z.array(z.string()),
  templating: z.object({ list: z.array(z.object({ name: z.string().min(1), type: z.enum(['datasource', 'query', 'custom', 'constant', 'interval', 'textbox']), query: z.string(), label: z.string().optional() })) }),
  annotations: z.object({ list: z.array(z.unknown()) }),
  panels: z.array(
    z.object({
      id: z.int().min(1),
      type: z.enum(['timeseries', 'stat', 'gauge', 'table', 'bargauge', 'text']),
      title: z.string().min(1),
      gridPos: GRID_POS,
      datasource: DATASOURCE_REF,
      fieldConfig: z.object({ defaults: z.record(z.string(), z.unknown()), overrides: z.array(z.unknown()) }),
      targets: z.array(z.object({ refId: z.string().regex(/^[A-Z]$/), expr: z.string().regex(/millrace_/) })).min(1),
    }).strict(),
  ).min(1),
}).strict();
