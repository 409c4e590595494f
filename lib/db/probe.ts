import "server-only";

// Whether the database answers (readiness, the scheduled re-verification waiting out an outage).
import { config } from "@/lib/config";
import { db } from "@/lib/db/client";

export type DatabaseHealth = {
  kind: "postgres" | "pglite";
  reachable: boolean;
  latencyMs: number | null;
  error?: string;
};

const PROBE_TIMEOUT_MS = 3_000;

/** Pings the database with a bounded wait, so a vanished server yields "unreachable", never a hang. */
export async function probeDatabase(): Promise<DatabaseHealth> {
  const kind = config().database.kind;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db().$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { kind, reachable: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // The message is generic on purpose: driver errors can carry host names and user names.
    const reason =
      error instanceof Error && error.message.startsWith("no answer") ? error.message : "connection failed";
    return { kind, reachable: false, latencyMs: null, error: reason };
  } finally {
    clearTimeout(timer);
  }
}
