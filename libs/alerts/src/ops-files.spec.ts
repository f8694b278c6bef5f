import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ALERT_RULES } from './alert-rules';
import { renderPrometheusRules } from './prometheus-rules';

/**
 * ops/: the Prometheus rule file is the catalogue's rendering (never edited apart), it
 * passes `promtool check rules` (Debian's prometheus package, installed by
 * scripts/ensure-test-deps.sh), and every metric the rules and the Grafana dashboard
 * query is one the broker or connect really exports (declared in their source).
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

  it('the dashboard is a Grafana dashboard: unique panel ids, a type, a title and queries per panel', () => {
    const d = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { title: string; uid: string; schemaVersion: number; panels: Array<{ id: number; type: string; title: string; gridPos: object; targets: Array<{ refId: string; expr: string }> }> };
    expect(d).toMatchObject({ title: 'Millrace', uid: 'millrace-overview' });
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels) {
      expect(['timeseries', 'stat']).toContain(p.type);
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.gridPos).toBeDefined();
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.expr).toMatch(/millrace_/);
    }
  });
});
