/**
 * Which `Host` header values the agent card may advertise. The card tells clients where to send their requests
 * (and shared caches may keep it), so a Host value is used only when the operator listed it.
 */

/** `name`, `name:port`, `[v6]` or `[v6]:port`; lower-cased; undefined when the value is not a host at all. */
export function parseHost(value: string): { name: string; port?: string } | undefined {
  const m =
    /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(\d{1,5}))?$/i.exec(
      value.trim(),
    );
  if (!m?.[1]) return undefined;
  if (m[2] !== undefined && Number(m[2]) > 65535) return undefined;
  return m[2] !== undefined ? { name: m[1].toLowerCase(), port: m[2] } : { name: m[1].toLowerCase() };
}

/** An entry without a port allows that name on any port; with a port, only that port. */
export function isAllowedHost(hostHeader: string | undefined, allowed: readonly string[]): boolean {
  if (hostHeader === undefined) return false;
  const host = parseHost(hostHeader);
  if (!host) return false;
  return allowed.some((entry) => {
    const rule = parseHost(entry);
    return rule !== undefined && rule.name === host.name && (rule.port === undefined || rule.port === host.port);
  });
}
