// lib/log.ts: JSON lines, secrets censored, URLs without codes, and the request id carried to the line of
// every outbound call (lib/http/outbound.ts) made while handling that request.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundFetch } from "@/lib/http/outbound";
import { createLogger, redactUrl, setLogger, withRequestId } from "@/lib/log";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger(stream, "info") };
}

describe("structured logs", () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("censors tokens, secrets and codes in logged objects", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        access_token: "eyJ.secret",
        code: "0.AAA",
        nested: { client_secret: "s3cr3t", refresh_token: "r" },
        headers: { authorization: "Bearer x" },
        tenant: "contoso",
      },
      "x",
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ["eyJ.secret", "0.AAA", "s3cr3t", "Bearer x", '"r"']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      access_token: "[redacted]",
      code: "[redacted]",
      nested: { client_secret: "[redacted]" },
      headers: { authorization: "[redacted]" },
      tenant: "contoso",
    });
  });

  it("removes codes and secrets from URLs, keeping the rest", () => {
    expect(redactUrl("https://login.example/t/oauth2/v2.0/token?code=0.AAA&client_secret=x&scope=openid")).toBe(
      "https://login.example/t/oauth2/v2.0/token?code=%5Bredacted%5D&client_secret=%5Bredacted%5D&scope=openid",
    );
    expect(redactUrl("postgresql://u:pw@db/x")).not.toContain("pw");
    expect(redactUrl("not a url")).toBe("[unparseable url]");
  });

  it("writes one line per outbound call with the request's id, the service, the status and no code", async () => {
    const { lines, logger } = capture();
    setLogger(logger);
    await withRequestId("req-0123456789", () => outboundFetch("dataverse", `${origin}/api/data/v9.2/WhoAmI?code=abc`));
    const line = lines.find((l) => l.msg === "outbound call");
    expect(line).toMatchObject({
      requestId: "req-0123456789",
      service: "dataverse",
      method: "GET",
      status: 204,
      level: 30,
    });
    expect(String(line?.url)).not.toContain("abc");
    expect(typeof line?.ms).toBe("number");
  });
});
