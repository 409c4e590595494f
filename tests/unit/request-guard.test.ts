// The request pre-check (lib/http/request-guard.ts): what it refuses before Next would answer 500, and what
// it lets through untouched.
import { describe, expect, it } from "vitest";
import { rejectLostApiParameters, rejectMalformedRequest, rejectUndecodableActionBody } from "@/lib/http/request-guard";

const ACTION = "7f".repeat(21);
const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://localhost:3000/onboarding", {
    method: "POST",
    body,
    headers: { host: "localhost:3000", ...headers },
  });
const action = (body: BodyInit, headers: Record<string, string> = {}) =>
  post(body, { "next-action": ACTION, "content-type": "text/plain;charset=UTF-8", ...headers });

describe("rejectMalformedRequest", () => {
  it("lets pages, routes and same-origin actions through", () => {
    expect(rejectMalformedRequest(new Request("http://localhost:3000/console/tenants?stage=%FF"))).toBeNull();
    expect(rejectMalformedRequest(action("[]", { origin: "http://localhost:3000" }))).toBeNull();
    expect(rejectMalformedRequest(action("[]"))).toBeNull();
  });

  it("refuses a path that does not %-decode with 400", () => {
    expect(rejectMalformedRequest(new Request("http://localhost:3000/onboarding/environments/%E0"))?.status).toBe(400);
  });

  it("lets the API's requests through, and answers its undecodable paths with problem+json", async () => {
    expect(
      rejectMalformedRequest(
        new Request("http://localhost:3000/api/v1/connections?state=healthy", {
          headers: { authorization: "Bearer x" },
        }),
      ),
    ).toBeNull();
    const refused = rejectMalformedRequest(new Request("http://localhost:3000/api/v1/connections/%E0"));
    expect(refused?.status).toBe(400);
    expect(refused?.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused?.json()).toMatchObject({ status: 400, title: "The request is not valid" });
  });

  it.each(["https://evil.example", "null", "not a url", "http://localhost:1"])(
    "refuses an action call from Origin %s with 403",
    (origin) => {
      expect(rejectMalformedRequest(action("[]", { origin }))?.status).toBe(403);
      expect(rejectMalformedRequest(post(new FormData(), { origin }))?.status).toBe(403);
    },
  );

  // Issue 19 item 4: the whole origin (scheme, host, port) is compared, with AUTH_URL's when configured, and
  // X-Forwarded-Host / -Proto count only when TRUST_FORWARDED_HEADERS says a proxy in front sets them.
  it.each([
    ["another scheme", { origin: "https://localhost:3000" }],
    ["another port", { origin: "http://localhost:3001" }],
    ["a forwarded host naming the caller", { origin: "http://evil.example", "x-forwarded-host": "evil.example" }],
    [
      "a forwarded host and scheme naming the caller",
      { origin: "https://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    ],
    ["a Host with a path", { origin: "http://localhost:3000", host: "localhost:3000/x" }],
  ])("refuses an action call with %s when forwarded headers are not trusted", (_what, headers) => {
    expect(rejectMalformedRequest(action("[]", headers))?.status).toBe(403);
    expect(rejectMalformedRequest(post(new FormData(), headers))?.status).toBe(403);
  });

  it("compares with AUTH_URL's origin when it is configured, whatever Host and X-Forwarded-* say", () => {
    const options = { publicOrigin: "https://onboarding.example.com", trustForwardedHeaders: true };
    expect(rejectMalformedRequest(action("[]", { origin: "https://onboarding.example.com" }), options)).toBeNull();
    expect(rejectMalformedRequest(action("[]", { origin: "https://ONBOARDING.example.com:443" }), options)).toBeNull();
    const foreign: Array<Record<string, string>> = [
      { origin: "http://localhost:3000" },
      { origin: "http://onboarding.example.com" },
      { origin: "https://onboarding.example.com:8443" },
      { origin: "https://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    ];
    for (const headers of foreign) {
      expect(rejectMalformedRequest(action("[]", headers), options)?.status, JSON.stringify(headers)).toBe(403);
    }
  });

  it("takes the origin from X-Forwarded-Host and -Proto only when they are trusted", () => {
    const trusted = { publicOrigin: null, trustForwardedHeaders: true };
    const behindProxy = {
      origin: "https://portal.example",
      "x-forwarded-host": "portal.example",
      "x-forwarded-proto": "https",
    };
    expect(rejectMalformedRequest(action("[]", behindProxy), trusted)).toBeNull();
    expect(rejectMalformedRequest(action("[]", behindProxy))?.status).toBe(403);
    // The first value of a list is the one the outermost proxy set.
    expect(
      rejectMalformedRequest(
        action("[]", { ...behindProxy, "x-forwarded-host": "portal.example, internal:8080" }),
        trusted,
      ),
    ).toBeNull();
    expect(
      rejectMalformedRequest(
        action("[]", { origin: "http://portal.example", "x-forwarded-host": "portal.example" }),
        trusted,
      ),
    ).toBeNull();
    expect(
      rejectMalformedRequest(
        action("[]", { origin: "https://portal.example", "x-forwarded-host": "portal.example" }),
        trusted,
      )?.status,
    ).toBe(403);
  });

  // Issue 19 item 5: Next drops a query key named __proto__ before a route handler sees it.
  it.each(["__proto__=x", "limit=1&__proto__=1", "%5F%5Fproto%5F%5F=x"])(
    "refuses the API's ?%s with 400 problem+json naming __proto__",
    async (query) => {
      const refused = rejectLostApiParameters(`/api/v1/connections?${query}`);
      expect(refused?.status).toBe(400);
      expect(refused?.headers.get("content-type")).toBe("application/problem+json");
      expect(await refused?.json()).toMatchObject({
        invalidParams: [{ name: "__proto__", reason: "is not a parameter of this operation" }],
      });
      // Pages are not the API: nothing there reads such a parameter.
      expect(rejectLostApiParameters(`/onboarding?${query}`)).toBeNull();
      expect(rejectLostApiParameters("/api/v1/connections?limit=1&proto=x")).toBeNull();
      // A request target no URL parser reads is left to Next, never thrown at the HTTP server.
      expect(rejectLostApiParameters("http://[")).toBeNull();
    },
  );

  it("refuses an action body over Next's limit with 413", () => {
    expect(rejectMalformedRequest(action("[]", { "content-length": String(2 * 1024 * 1024) }))?.status).toBe(413);
  });
});

describe("rejectUndecodableActionBody", () => {
  it.each(['["x"]', "[]", '[{"a":1},"$undefined"]', '["$$escaped","$D2026-01-01T00:00:00.000Z","$n123","$K1"]'])(
    "accepts %s",
    async (body) => {
      expect(await rejectUndecodableActionBody(action(body))).toBeNull();
    },
  );

  it.each(["[1,", '"x"', "", '["$1"]', '["$@2"]', '["$Q1"]', '["$nabc"]', JSON.stringify(Array(1001).fill(0))])(
    "refuses %s with 400",
    async (body) => {
      expect((await rejectUndecodableActionBody(action(body)))?.status).toBe(400);
    },
  );

  it("checks a multipart action's root and the parts it refers to", async () => {
    const form = (entries: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(entries)) f.append(k, v);
      return f;
    };
    const multipart = (entries: Record<string, string>) => post(form(entries), { "next-action": ACTION });
    expect(await rejectUndecodableActionBody(multipart({ "0": '[{},"$K1"]', "1_url": "x" }))).toBeNull();
    expect(await rejectUndecodableActionBody(multipart({ "0": '["$1"]', "1": '{"a":"$$x"}' }))).toBeNull();
    expect((await rejectUndecodableActionBody(multipart({ "1_url": "x" })))?.status).toBe(400);
    expect((await rejectUndecodableActionBody(multipart({ "0": '["$2"]' })))?.status).toBe(400);
    // A form posted without JavaScript: its bound arguments must decode too.
    expect(
      await rejectUndecodableActionBody(
        post(form({ $ACTION_REF_1: "", "$ACTION_1:0": `{"id":"${ACTION}","bound":"$@1"}`, "$ACTION_1:1": "[{}]" })),
      ),
    ).toBeNull();
    expect((await rejectUndecodableActionBody(post(form({ $ACTION_REF_1: "", "$ACTION_1:0": "{bad" }))))?.status).toBe(
      400,
    );
    expect(
      (await rejectUndecodableActionBody(post("--zz\r\n\r\n", { "content-type": "multipart/form-data; boundary=zz" })))
        ?.status,
    ).toBe(400);
  });

  it("leaves the body readable for Next", async () => {
    const request = action('["x"]');
    await rejectUndecodableActionBody(request);
    expect(await request.text()).toBe('["x"]');
  });
});
