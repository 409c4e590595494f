// Makes a PostgreSQL database unreachable and reachable again, to test how the portal behaves when its
// database goes away mid-run.
import pg from "pg";
import { testDatabaseUrl } from "../../scripts/postgres/test-url";

const adminUrl = () => testDatabaseUrl();

async function asAdmin(run: (client: pg.Client) => Promise<void>) {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function blockDatabase(url: string) {
  const name = databaseName(url);
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS false`);
    await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
  });
}

export async function unblockDatabase(url: string) {
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${quoteIdent(databaseName(url))} ALLOW_CONNECTIONS true`);
  });
}
