// The Prisma driver adapter for a database target. No `server-only` here: the seed script uses it too.

import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PGLITE_EXTENSIONS } from "@/lib/db/pglite-extensions";
import { withPreparedStatements } from "@/lib/db/pglite-statements";
import type { DatabaseTarget } from "@/lib/db/url";

export function createAdapterFactory(target: DatabaseTarget): SqlDriverAdapterFactory {
  if (target.kind === "postgres") {
    // Short timeouts: when the server goes away, /api/health must answer 503 quickly, not hang.
    return new PrismaPg({
      connectionString: target.url,
      connectionTimeoutMillis: 3_000,
      max: 10,
      idleTimeoutMillis: 30_000,
    });
  }
  // PGlite allows one connection per data folder per process; the adapter serialises queries on it. Prisma's
  // statements are prepared once and executed by name after (lib/db/pglite-statements.ts).
  return new PrismaPGlite(withPreparedStatements(embeddedDatabase(target.dataDir)));
}

/**
 * The process's one PGlite instance for a data folder (or in memory), shared by Prisma and the job queue
 * (lib/queue/index.ts): a second instance on the same folder would corrupt it. PGlite runs one statement
 * at a time and holds other queries back while a transaction is open, so the queue's statements never land
 * inside one of Prisma's transactions. Kept on globalThis, like the Prisma client, across dev-server reloads.
 */
export function embeddedDatabase(dataDir: string | null | undefined): PGlite {
  const holder = globalThis as unknown as { portalPglite?: Map<string, PGlite> };
  holder.portalPglite ??= new Map();
  const key = dataDir ?? "memory://";
  let instance = holder.portalPglite.get(key);
  if (!instance || instance.closed) {
    instance = new PGlite(dataDir ?? undefined, { extensions: PGLITE_EXTENSIONS });
    holder.portalPglite.set(key, instance);
  }
  return instance;
}
