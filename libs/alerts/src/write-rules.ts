import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderPrometheusRules } from './prometheus-rules';

/** Writes ops/prometheus/millrace-alerts.yml from the rule catalogue (run from the repo root). */
const file = path.join(process.cwd(), 'ops', 'prometheus', 'millrace-alerts.yml');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderPrometheusRules());
process.stdout.write(`wrote ${file}\n`);
