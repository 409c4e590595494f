import "server-only";

// The portal's one Prisma client. The database is PGlite in-process (demo, tests) or a PostgreSQL server
// (production), chosen by DATABASE_URL; both speak the same schema through a driver adapter, since
// Prisma 7's query compiler is WebAssembly and needs no native engine.

import { PrismaClient } from "@/lib/generated/prisma/client";
import { config } from "@/lib/config";
import { createAdapterFactory } from "@/lib/db/adapter";

const globalForPrisma = globalThis as unknown as { portalPrisma?: PrismaClient };

export function db(): PrismaClient {
  // Kept on globalThis so that dev-server reloads do not open a second PGlite on the same folder.
  globalForPrisma.portalPrisma ??= new PrismaClient({ adapter: createAdapterFactory(config().database) });
  return globalForPrisma.portalPrisma;
}
