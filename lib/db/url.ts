// Which database a DATABASE_URL names. Pure (no I/O) so the config module, the migration runner and the
// tests share one reading of it.
//
//   postgresql://user@host:5432/db   a PostgreSQL server (production)
//   postgres://...                    the same
//   pglite:<folder>                   the embedded PGlite database kept in <folder> (relative to the cwd)
//   pglite:memory                     an in-memory PGlite database (tests, schema diffing)

import path from "node:path";

export type DatabaseTarget =
  { kind: "postgres"; url: string; display: string } | { kind: "pglite"; dataDir: string | null; display: string };

export const DEFAULT_EMBEDDED_DATABASE_URL = "pglite:.data/pglite";

export class DatabaseUrlError extends Error {}

export function parseDatabaseUrl(raw: string, cwd: string = process.cwd()): DatabaseTarget {
  const value = raw.trim();
  if (value.startsWith("pglite:")) {
    const location = value.slice("pglite:".length);
    if (location === "memory") return { kind: "pglite", dataDir: null, display: "pglite:memory" };
    if (location === "") throw new DatabaseUrlError("pglite: needs a folder, e.g. pglite:.data/pglite");
    const dataDir = path.resolve(cwd, location);
    return { kind: "pglite", dataDir, display: `pglite:${location}` };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DatabaseUrlError(
      "is not a URL; expected postgresql://user:password@host:5432/database or pglite:<folder>",
    );
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new DatabaseUrlError(
      `has the unsupported scheme '${url.protocol.replace(/:$/, "")}'; expected postgresql:// or pglite:`,
    );
  }
  if (!url.hostname) throw new DatabaseUrlError("names no host");
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database) throw new DatabaseUrlError("names no database (postgresql://host:5432/<database>)");
  // The display form never carries the password.
  const display = `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ""}${url.host}/${database}`;
  return { kind: "postgres", url: value, display };
}
