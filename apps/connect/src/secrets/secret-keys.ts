import type { ConfigDef } from '@millrace/connect-sdk';

/** The value shown instead of a secret (Kafka's `[hidden]`). */
export { HIDDEN_VALUE } from '@millrace/connect-sdk';

/**
 * Names that hold secrets whatever the plugin declares (a converter's
 * `basic.auth.user.info`, a JAAS config, anything called password, secret, token...):
 * the last dot-separated segments are matched, case-insensitively.
 */
const SECRET_NAME = /(^|[._-])(password|passwd|pwd|secret|secret\.key|api\.key|apikey|private\.key|access\.key|token|credentials?|user\.info|jaas\.config)$/i;

/**
 * Which keys of a connector (or task) config are secrets: the PASSWORD keys of the
 * plugin's ConfigDef (the runtime's common keys included), and keys whose name says so
 * (SECRET_NAME). Contract: `def` undefined (an unknown plugin) leaves only the names.
 */
export function secretKeyPredicate(def: ConfigDef | undefined): (key: string) => boolean {
  const declared = new Set((def?.keys ?? []).filter((k) => k.type === 'PASSWORD').map((k) => k.name));
  return (key) => declared.has(key) || SECRET_NAME.test(key);
}
