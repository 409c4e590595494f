// Does a PostgreSQL server answer at a URL? Three answers, because they call for different actions: a server
// that answers is used; no server at all means the embedded one is started instead; a server that answers
// but refuses us (wrong password, no such database) is a configuration mistake to report, not to paper over
// by starting another server.
import pg from "pg";

export type ProbeResult =
  { state: "answers"; version: string } | { state: "absent"; reason: string } | { state: "refuses"; reason: string };

// Network-level failures: nothing is listening (or reachable) there.
const ABSENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EADDRNOTAVAIL",
]);

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

export type Decision = { use: "server" } | { use: "embedded"; why: string } | { use: "error"; reason: string };

/**
 * What a test run does with a probe's answer. A refusal from a server someone named in TEST_DATABASE_URL is
 * their configuration to fix; from the default address it is just some local server (Debian's asks for a
 * password over TCP) that is not set up for us, so the run goes on with the embedded server and says why.
 */
export function decide(probe: ProbeResult, host: string, named: boolean): Decision {
  if (probe.state === "answers") return { use: "server" };
  if (probe.state === "absent") return { use: "embedded", why: `no server answers at ${host} (${probe.reason})` };
  if (!named)
    return {
      use: "embedded",
      why: `the server at ${host} refuses the default test user (${probe.reason}); set TEST_DATABASE_URL to use it`,
    };
  return {
    use: "error",
    reason: `the PostgreSQL server at ${host} answers but refuses the tests (${probe.reason}): fix TEST_DATABASE_URL (a user who may CREATE DATABASE), or set TEST_DATABASE_URL=embedded`,
  };
}
