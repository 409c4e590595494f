// The embedded PostgreSQL launcher against the real binaries: it starts, survives a run that was killed
// (stale postmaster.pid), and turns a port clash into one line — each within seconds, never a hang.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort, startEmbeddedPostgres } from "@/scripts/postgres/embedded";
import { probePostgres } from "@/scripts/postgres/probe";

const root = mkdtempSync(path.join(os.tmpdir(), "portal-embedded-test-"));
chmodSync(root, 0o755); // under root the server runs as another account, which must reach the folder
const dataDir = path.join(root, "data");
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("starts, and starts again on the same folder after being killed outright", async () => {
  const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), portVariable: "PORT", ephemeral: true });
  expect(await probePostgres(first.url)).toMatchObject({
    state: "answers",
    version: expect.stringMatching(/^\d+\.\d+/),
  });

  process.kill(first.pid, "SIGKILL"); // as if the whole run had been killed: postmaster.pid stays behind
  await expect.poll(async () => (await probePostgres(first.url, 500)).state, { timeout: 10_000 }).toBe("absent");

  const notices: string[] = [];
  const second = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    portVariable: "PORT",
    ephemeral: true,
    notice: (l) => notices.push(l),
  });
  try {
    expect(notices.join("\n")).toMatch(/removed a stale postmaster\.pid \(pid \d+\)/);
    expect((await probePostgres(second.url)).state).toBe("answers");

    // The same folder while that server runs: refused with its address, not a second server.
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort(), portVariable: "PORT" })).rejects.toThrow(
      new RegExp(`already runs on .*, at postgresql://postgres@127\\.0\\.0\\.1:${second.port}/postgres`),
    );
  } finally {
    await second.stop();
  }
  expect((await probePostgres(second.url, 500)).state).toBe("absent");
}, 60_000);

it("a port in use is one line naming the port and the variable", async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const started = Date.now();
    await expect(startEmbeddedPostgres({ dataDir, port, portVariable: "DB_SERVER_PORT" })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use by another program: set DB_SERVER_PORT to a free port`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    blocker.close();
  }
}, 30_000);
