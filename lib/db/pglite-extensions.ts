// The PostgreSQL extensions the migrations create (prisma/migrations), for every PGlite instance: PGlite ships
// contrib extensions as bundles of their own, and CREATE EXTENSION finds only those given when the instance is
// made. pg_trgm: the support console's search (trigram indexes, lib/data/support/tenants.ts). A PostgreSQL server
// needs it available too (Debian's postgresql package and Azure Database for PostgreSQL include it; on Azure it
// must be allow-listed in the server parameter azure.extensions). No `server-only`: scripts use it too.
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

export const PGLITE_EXTENSIONS = { pg_trgm };
