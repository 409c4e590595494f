// URLs made safe to log and to put on a span: the query parameters that carry secrets and any password are
// replaced. A leaf (no imports): lib/log.ts and lib/observability both use it, neither through the other.

const SECRET_PARAMS = new Set([
  "code",
  "client_secret",
  "client_assertion",
  "access_token",
  "id_token",
  "refresh_token",
  "token",
  "assertion",
  "session_state",
]);

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()])
      if (SECRET_PARAMS.has(key.toLowerCase())) u.searchParams.set(key, "[redacted]");
    if (u.password) u.password = "[redacted]";
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}
