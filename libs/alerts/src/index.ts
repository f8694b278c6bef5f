/** @millrace/alerts — alert rules defined once: rendered for Prometheus, evaluated in-process by the broker and connect. */
export { ALERT_RULES, rulesFor, LAG_ALERT_MIN, type AlertRule, type AlertApp, type Severity } from './alert-rules';
export { AlertEvaluator, appAlertEvaluator, render, type ActiveAlert, type AlertEvaluatorOptions, type AlertSettings } from './alert-evaluator';
export { renderPrometheusRules } from './prometheus-rules';
export { snapshotOf, sumBy, type MetricsSnapshot, type Sample } from './metric-samples';
