/**
 * The emulator keeps a connection between requests as an HTTP/1.1 front end does, so a client that reuses its
 * connections is measured as it runs against Microsoft; and it can be told to keep none, the strictest server a
 * client must still work against (docs/protocol/dataverse.md "Connections").
 */
import diagnostics from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import { Agent, fetch } from "undici";
import { startEmulator, type EmulatorHandle } from "@tenant-onboarding/emulator";

let emu: EmulatorHandle | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** How many connections a client with undici's defaults (the portal's outbound client) opens for `requests` in a row. */
async function connectionsFor(
  handle: EmulatorHandle,
  requests: number,
): Promise<{ connections: number; keepAlive: string | null }> {
  let connections = 0;
  const onConnect = () => connections++;
  diagnostics.subscribe("undici:client:connected", onConnect);
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  let keepAlive: string | null = null;
  try {
    for (let i = 0; i < requests; i++) {
      const response = await fetch(
        `${handle.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize`,
        { dispatcher: agent },
      );
      keepAlive = response.headers.get("keep-alive");
      await response.arrayBuffer();
    }
  } finally {
    diagnostics.unsubscribe("undici:client:connected", onConnect);
    await agent.close();
  }
  return { connections, keepAlive };
}

describe("connections", () => {
  it("are kept between requests (Keep-Alive: timeout=5, Node's default)", async () => {
    emu = await startEmulator();
    // undici may open a second connection while the first one's answer is being finished, then reuses both.
    const { connections, keepAlive } = await connectionsFor(emu, 6);
    expect(keepAlive).toBe("timeout=5");
    expect(connections).toBeLessThanOrEqual(2);
  });

  it("are closed after every answer when the idle timeout is within undici's 2 s margin", async () => {
    emu = await startEmulator({ keepAliveTimeoutMs: 2_000 });
    expect(await connectionsFor(emu, 6)).toEqual({ connections: 6, keepAlive: "timeout=2" });
  });
});
