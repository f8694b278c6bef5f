/**
 * The topics a sink consumes, from its `topics` or `topics.regex` config (Kafka Connect's
 * SinkConnectorConfig), in one place for the runtime (what to subscribe, which topics are
 * missing) and for sinks (which topics a stored offset may belong to).
 *
 * Contracts: `topics` is the trimmed, non-empty entries of `topics` in config order,
 * without repeats; `regex` the trimmed `topics.regex` ('' when unset). A topic is
 * consumed when it is listed, or when the whole name matches the regex (Java
 * `matches()`). With both unset nothing is consumed; validation refuses such configs
 * (`validateSinkTopics`), so only direct callers see it. A regex that does not compile
 * matches nothing (validation refuses it too).
 */
export class SinkTopics {
  private readonly pattern: RegExp | null;

  constructor(
    readonly topics: readonly string[],
    readonly regex: string,
  ) {
    this.pattern = compileWhole(regex);
  }

  /** From a connector (or task) config's `topics` / `topics.regex`. */
  static fromConfig(raw: Readonly<Record<string, string | undefined>>): SinkTopics {
    const listed = (raw.topics ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    return new SinkTopics([...new Set(listed)], (raw['topics.regex'] ?? '').trim());
  }

  /** Whether records of `topic` are consumed by this sink. */
  matches(topic: string): boolean {
    return this.topics.includes(topic) || (this.pattern !== null && this.pattern.test(topic));
  }

  /** The consumed topics among `existing` (sorted), and the listed ones that do not exist. */
  resolve(existing: Iterable<string>): { readonly present: string[]; readonly missing: string[] } {
    const all = new Set(existing);
    const present = [...all].filter((t) => !INTERNAL_TOPICS.has(t) && this.matches(t)).sort();
    const missing = this.topics.filter((t) => !all.has(t));
    return { present, missing };
  }

  /** How the config names the topics, for messages: `topics=a,b` or `topics.regex=...`. */
  describe(): string {
    return this.topics.length > 0 ? `topics=${this.topics.join(',')}` : `topics.regex=${this.regex}`;
  }
}

/** Kafka's internal topics, never consumed through a regex (exclude.internal.topics=true). */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

function compileWhole(regex: string): RegExp | null {
  if (regex === '') return null;
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch {
    return null;
  }
}
