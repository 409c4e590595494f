// The Prisma driver adapter for a database target. No `server-only` here: the seed script uses it too.

import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { DatabaseTarget } from "@/lib/db/url";

export function createAdapterFactory(target: DatabaseTarget): SqlDriverAdapterFactory {
  if (target.kind === "postgres") {
    // Short timeouts: when the server goes away, /api/health must answer 503 quickly, not hang.
    return new PrismaPg({ connectionString: target.url, connectionTimeoutMillis: 3_000, max: 10, idleTimeoutMillis: 30_000 });
  }
  // PGlite allows one connection per data folder per process; the adapter serialises queries on it.
  return new PrismaPGlite(new PGlite(target.dataDir ?? undefined));
}
