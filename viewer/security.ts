// Which Host headers the viewer answers (DNS rebinding: a foreign site's name made to resolve to 127.0.0.1 must
// not get an answer): localhost, the loopback addresses, and the address the server is bound to. Bound to every
// interface (0.0.0.0 / ::), any IP literal is accepted too, since rebinding needs a name; names never are.

export interface HostPolicy {
  /** The address given to listen() ("127.0.0.1", "0.0.0.0", "192.168.1.5", "::1"). */
  bound: string;
  /** Further names to accept (a user's own host name, with --host NAME). */
  names?: string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** The host name of a Host header ("[::1]:7000" -> "::1", "localhost:7000" -> "localhost"), lower case; undefined when malformed. */
export function hostName(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::[0-9]{1,5})?$/.exec(h);
  if (v6) return v6[1];
  const m = /^([a-z0-9.-]+)(?::[0-9]{1,5})?$/.exec(h);
  return m ? m[1] : undefined;
}

function isIpLiteral(h: string): boolean {
  return /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/.test(h));
}

export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return false;
  const h = hostName(header);
  if (h === undefined) return false;
  const bound = policy.bound.toLowerCase().replace(/^\[|\]$/g, '');
  if (LOOPBACK.has(h) || h === bound || (policy.names ?? []).some((n) => n.toLowerCase() === h)) return true;
  return (bound === '0.0.0.0' || bound === '::') && isIpLiteral(h);
}
