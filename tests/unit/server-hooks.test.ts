// lib/http/server-hooks.ts on a real Node HTTP server whose handler does what Next's does first (build a fetch
// Request from the incoming one): TRACE is answered 405 before it can throw, unknown methods 400, both with the
// security headers; a refusal recorded during a request becomes the response's status (issue 19 items 2 and 6).
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installServerHooks, statusWithRefusal } from "@/lib/http/server-hooks";
import { markRefusal, REFUSAL_HEADER } from "@/lib/http/refusal";

let server: http.Server;
let base: string;
const thrown: string[] = [];

beforeAll(async () => {
  installServerHooks();
  server = http.createServer((req, res) => {
    try {
      // Next's request adapter: the Fetch standard forbids TRACE, TRACK and CONNECT here.
      new Request(`http://localhost${req.url}`, { method: req.method });
    } catch (error) {
      thrown.push(String(error));
      res.writeHead(500).end("Internal Server Error");
      return;
    }
    // An action that refuses, answered the way Next answers a forwarded one (200) or a form without JavaScript (404).
    void (async () => {
      await new Promise((r) => setTimeout(r, 5));
      if (req.url?.startsWith("/refused")) markRefusal(403);
      if (req.url === "/refused-forwarded") res.setHeader(REFUSAL_HEADER, "403");
      res.writeHead(req.url?.endsWith("404") ? 404 : 200, { "Content-Type": "text/plain" });
      res.end("done");
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A raw request, so that any method can be sent. */
function raw(method: string, path = "/"): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () =>
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nCookie: secret=1\r\nConnection: close\r\n\r\n`),
    );
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("methods Next cannot handle", () => {
  it("answers TRACE with 405, Allow and the security headers, echoing nothing, before the handler can throw", async () => {
    for (const path of ["/", "/onboarding?x=1"]) {
      const answer = await raw("TRACE", path);
      expect(answer).toMatch(/^HTTP\/1\.1 405 /);
      expect(answer).toMatch(/\r\nallow: GET, HEAD, POST\r\n/i);
      expect(answer).toMatch(/\r\ncontent-security-policy: [^\r]*frame-ancestors 'none'/i);
      expect(answer).toMatch(/\r\nx-frame-options: DENY\r\n/i);
      expect(answer).not.toContain("secret=1");
    }
    const api = await raw("TRACE", "/api/v1/connections");
    expect(api).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(thrown).toEqual([]);
  });

  it("answers a method Node's parser does not know with 400 and the security headers", async () => {
    for (const method of ["TRACK", "BREW"]) {
      const answer = await raw(method);
      expect(answer, method).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer, method).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
    }
  });

  it("refuses an API parameter Next would drop (__proto__) from the raw request, with the security headers", async () => {
    const answer = await raw("GET", "/api/v1/connections?limit=1&__proto__=x");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(answer).toMatch(/\r\nx-frame-options: DENY\r\n/i);
    expect(answer).toContain('"invalidParams":[{"name":"__proto__","reason":"is not a parameter of this operation"}]');
    expect(await raw("GET", "/onboarding?__proto__=x")).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("leaves other methods to the handler", async () => {
    expect(await raw("GET")).toMatch(/^HTTP\/1\.1 200 /);
    expect(await raw("PROPFIND")).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("the status of a refused action", () => {
  it("becomes the response's status when the handler would send 200 or the not-found 404", async () => {
    expect((await fetch(`${base}/refused`)).status).toBe(403);
    expect((await fetch(`${base}/refused-404`)).status).toBe(403);
    expect((await fetch(`${base}/fine`)).status).toBe(200);
  });

  it("is carried back from a forwarded request's answer, and the header does not leave the portal", async () => {
    const response = await fetch(`${base}/refused-forwarded`);
    expect(response.status).toBe(403);
    expect(response.headers.get(REFUSAL_HEADER)).toBeNull();
    const forwarded = await fetch(`${base}/refused`, { headers: { "x-action-forwarded": "1" } });
    expect(forwarded.headers.get(REFUSAL_HEADER)).toBe("403");
  });

  it("keeps redirects and errors as they are", () => {
    expect(statusWithRefusal(303, 403)).toBe(303);
    expect(statusWithRefusal(500, 403)).toBe(500);
    expect(statusWithRefusal(200, null)).toBe(200);
  });
});
