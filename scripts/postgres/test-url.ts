// Where the PostgreSQL tests (and the bench) look for a server. TEST_DATABASE_URL is the name the README
// documents; TEST_POSTGRES_URL is the older name, still honoured so existing setups keep working.
export const DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/** The value that forces the embedded server even when one answers at the default address. */
export const EMBEDDED = "embedded";

export function testDatabaseUrl(env: Record<string, string | undefined> = process.env): string {
  return env.TEST_DATABASE_URL?.trim() || env.TEST_POSTGRES_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
}

/** host:port of a postgresql:// URL, for messages (never the password). */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}`;
  } catch {
    return url;
  }
}
