import { ALERT_RULES, type AlertRule } from './alert-rules';

/**
 * The rules as a Prometheus rule file (ops/prometheus/millrace-alerts.yml is this
 * output, kept equal by a test; `promtool check rules` validates it). Written by hand
 * as YAML (a list of plain scalars): values are quoted JSON strings, which YAML accepts.
 */
export function renderPrometheusRules(rules: readonly AlertRule[] = ALERT_RULES): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [
    '# Generated from libs/alerts/src/alert-rules.ts (npm run build && node -r ./scripts/register-paths.js dist/libs/alerts/src/write-rules.js).',
    '# The broker and connect evaluate the same rules in-process (GET /admin/alerts, GET /alerts; MILLRACE_ALERT_WEBHOOK_URL).',
    'groups:',
  ];
  for (const app of ['broker', 'connect'] as const) {
    lines.push(`  - name: millrace-${app}`, '    rules:');
    for (const r of rules.filter((x) => x.app === app)) {
      lines.push(
        `      - alert: ${r.name}`,
        `        expr: ${q(r.promql)}`,
        ...(r.forSeconds > 0 ? [`        for: ${r.forSeconds % 60 === 0 ? `${r.forSeconds / 60}m` : `${r.forSeconds}s`}`] : []),
        '        labels:',
        `          severity: ${r.severity}`,
        '        annotations:',
        `          summary: ${q(r.summary)}`,
        `          description: ${q(r.description)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
