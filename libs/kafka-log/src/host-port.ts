/** Splits a bootstrap address `host:port` (the host may itself hold colons, as IPv6 does). */
export function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  if (i < 0) throw new Error(`bootstrap address "${address}" has no port`);
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
