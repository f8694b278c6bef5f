/**
 * The message of a caught value, for logs and error texts: an Error's `message`, or the
 * value converted with `String` for anything else that was thrown (strings, numbers,
 * plain objects). Never throws.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}
