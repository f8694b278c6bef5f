/** Shortest value the scrubber hides: shorter ones would blank common words in every line. */
const MIN_SECRET_LENGTH = 4;
/** Values that are settings rather than secrets (a secret-looking key set to a flag). */
const NOT_SECRETS = new Set(['true', 'false', 'null', 'none', '[hidden]']);

/**
 * Hides known secret values in log lines (the root logger's last step, see
 * createRootLogger's `scrub`). Secrets are registered as the worker meets them:
 * PASSWORD values read from connect-configs, values resolved by config providers.
 * Contract: after `add(v)`, no line passed through `scrub` contains `v` as written or
 * JSON-escaped; values shorter than 4 characters and flags (true, false, null, none)
 * are not tracked.
 */
export class LogScrubber {
  private readonly patterns = new Set<string>();

  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || NOT_SECRETS.has(value.toLowerCase())) return;
    this.patterns.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.patterns.add(escaped);
  }

  scrub(line: string): string {
    let out = line;
    for (const p of this.patterns) if (out.includes(p)) out = out.split(p).join('[hidden]');
    return out;
  }
}

/** Nest injection token of the worker's LogScrubber. */
export const LOG_SCRUBBER = Symbol('LOG_SCRUBBER');
