import type { Registry } from 'prom-client';
import { DEFAULT_CONTEXT, rulesFor, type AlertApp, type AlertRule, type RuleContext } from './alert-rules';
import { snapshotOf, type MetricsSnapshot } from './metric-samples';

/**
 * Evaluates alert rules in-process every `intervalMs` over the app's own metrics, the
 * way Prometheus would: a condition holding for a label set is *pending*, *firing* once
 * it held for the rule's `for` (or `forMs`, which overrides every rule: for tests and
 * impatient operators; `windowMs` likewise overrides the windows of rules about change),
 * and *resolved* when it stops holding. Firing and resolved
 * alerts are logged and, with a webhook URL, POSTed in Alertmanager's webhook format
 * (version 4: {version, status, receiver, groupLabels, commonLabels, alerts:[{status,
 * labels, annotations, startsAt, endsAt}]}), one POST per change, retried twice.
 * History for rules about change over a window is kept for 15 minutes.
 */
export interface ActiveAlert {
  readonly name: string;
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  readonly since: string;
  readonly summary: string;
  readonly description: string;
}

export interface AlertEvaluatorOptions {
  readonly app: string;
  readonly rules: readonly AlertRule[];
  readonly registries: readonly Registry[];
  readonly intervalMs: number;
  readonly webhookUrl: string | null;
  /** Overrides every rule's `for` when set. */
  readonly forMs: number | null;
  /** Overrides every rule's window ("grew over the last 10 minutes") when set. */
  readonly windowMs?: number | null;
  readonly logger: { info(m: string): void; warn(m: string): void };
  readonly now?: () => number;
}

interface Tracked {
  rule: AlertRule;
  labels: Record<string, string>;
  since: number;
  firing: boolean;
}

const HISTORY_MS = 15 * 60_000;

export class AlertEvaluator {
  private readonly history: MetricsSnapshot[] = [];
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly context: RuleContext;

  constructor(private readonly opts: AlertEvaluatorOptions) {
    this.now = opts.now ?? Date.now;
    const windowMs = opts.windowMs ?? null;
    this.context = windowMs === null ? DEFAULT_CONTEXT : { windowSeconds: () => windowMs / 1000 };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  active(): ActiveAlert[] {
    return [...this.tracked.values()].map((t) => ({
      name: t.rule.name,
      severity: t.rule.severity,
      labels: { alertname: t.rule.name, app: this.opts.app, severity: t.rule.severity, ...t.labels },
      state: t.firing ? 'firing' : 'pending',
      since: new Date(t.since).toISOString(),
      summary: render(t.rule.summary, t.labels),
      description: t.rule.description,
    }));
  }

  /** One evaluation round (the timer calls it; tests may too). */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.evaluate().finally(() => (this.running = null));
    return this.running;
  }

  private async evaluate(): Promise<void> {
    const snap = await snapshotOf(this.opts.registries, this.now());
    const changes: Array<{ status: 'firing' | 'resolved'; t: Tracked }> = [];
    const seen = new Set<string>();
    for (const rule of this.opts.rules) {
      let hits: Array<Record<string, string>>;
      try {
        hits = rule.evaluate(snap, this.history, this.context);
      } catch (err) {
        this.opts.logger.warn(`alert rule ${rule.name} failed: ${(err as Error).message}`);
        continue;
      }
      const forMs = this.opts.forMs ?? rule.forSeconds * 1000;
      for (const labels of hits) {
        const key = `${rule.name}\u0000${JSON.stringify(labels)}`;
        seen.add(key);
        let t = this.tracked.get(key);
        if (!t) this.tracked.set(key, (t = { rule, labels, since: snap.at, firing: false }));
        if (!t.firing && snap.at - t.since >= forMs) {
          t.firing = true;
          changes.push({ status: 'firing', t });
        }
      }
    }
    for (const [key, t] of this.tracked) {
      if (seen.has(key)) continue;
      this.tracked.delete(key);
      if (t.firing) changes.push({ status: 'resolved', t });
    }
    this.history.push(snap);
    while (this.history.length > 0 && snap.at - this.history[0].at > HISTORY_MS) this.history.shift();
    for (const c of changes) {
      this.opts.logger[c.status === 'firing' ? 'warn' : 'info'](`alert ${c.t.rule.name} ${c.status.toUpperCase()}: ${render(c.t.rule.summary, c.t.labels)}`);
      await this.notify(c.status, c.t, snap.at);
    }
  }

  private async notify(status: 'firing' | 'resolved', t: Tracked, at: number): Promise<void> {
    const url = this.opts.webhookUrl;
    if (!url) return;
    const labels = { alertname: t.rule.name, app: this.opts.app, severity: t.rule.severity, ...t.labels };
    const body = {
      version: '4',
      status,
      receiver: 'millrace',
      groupLabels: { alertname: t.rule.name },
      commonLabels: labels,
      commonAnnotations: { summary: render(t.rule.summary, t.labels), description: t.rule.description },
      externalURL: '',
      alerts: [{ status, labels, annotations: { summary: render(t.rule.summary, t.labels), description: t.rule.description }, startsAt: new Date(t.since).toISOString(), endsAt: status === 'resolved' ? new Date(at).toISOString() : '0001-01-01T00:00:00Z' }],
    };
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
        if (res.ok) return;
        this.opts.logger.warn(`alert webhook answered ${res.status} (attempt ${attempt})`);
      } catch (err) {
        this.opts.logger.warn(`alert webhook unreachable: ${(err as Error).message} (attempt ${attempt})`);
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** Fills `{{ $labels.x }}` placeholders as Prometheus templates do. */
export function render(template: string, labels: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, l: string) => labels[l] ?? '');
}

/** The alert settings both apps read from their environment (MILLRACE_ALERT_*). */
export interface AlertSettings {
  readonly webhookUrl: string | null;
  readonly evaluationIntervalMs: number;
  readonly forMs: number | null;
  readonly windowMs: number | null;
}

/** The evaluator of one app's rules over its registries, with its settings. */
export function appAlertEvaluator(app: AlertApp, registries: readonly Registry[], settings: AlertSettings, logger: AlertEvaluatorOptions['logger']): AlertEvaluator {
  return new AlertEvaluator({ app, rules: rulesFor(app), registries, intervalMs: settings.evaluationIntervalMs, webhookUrl: settings.webhookUrl, forMs: settings.forMs, windowMs: settings.windowMs, logger });
}
