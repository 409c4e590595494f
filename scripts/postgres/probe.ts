// Does a PostgreSQL server answer at a URL? Three answers, because they call for different actions: a server
// that answers is used; no server at all means the embedded one is started instead; a server that answers
// but refuses us (wrong password, no such database) is a configuration mistake to report, not to paper over
// by starting another server.
import pg from "pg";

export type ProbeResult =
  | { state: "answers"; version: string }
  | { state: "absent"; reason: string }
  | { state: "refuses"; reason: string };

// Network-level failures: nothing is listening (or reachable) there.
const ABSENT_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EADDRNOTAVAIL"]);

export function classifyConnectError(error: unknown): Exclude<ProbeResult, { state: "answers" }> {
  const err = error as { code?: string; message?: string; errors?: Array<{ code?: string }> } | undefined;
  const message = err?.message || String(error);
  const codes = [err?.code, ...(err?.errors ?? []).map((e) => e.code)].filter(Boolean) as string[];
  if (codes.some((c) => ABSENT_CODES.has(c))) return { state: "absent", reason: codes.join(", ") };
  // pg reports its own connect timeout with this message and no code.
  if (/timeout|terminated unexpectedly/i.test(message)) return { state: "absent", reason: message };
  return { state: "refuses", reason: message };
}

export async function probePostgres(url: string, timeoutMs = 3_000): Promise<ProbeResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
    return { state: "answers", version: rows[0]?.v ?? "unknown" };
  } catch (error) {
    return classifyConnectError(error);
  } finally {
    await client.end().catch(() => {});
  }
}
