// The ISV back end's API (/api/v1, issue 14), driven as the back end drives it: msal-node's client-credentials
// client gets the token in the emulated home tenant, and the route handlers answer. Every answer is checked
// against the OpenAPI document the portal serves (generated from the same zod schemas), and that document is
// validated with an OpenAPI parser.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { validate as validateOpenApi } from "@readme/openapi-parser";
import { decodeJwt } from "jose";
import {
  startEmulator,
  type EmulatorHandle,
  demoScenario,
  clientAppSecret,
  testCredentials,
  DEMO_IDS,
} from "@tenant-onboarding/emulator";
import { usePortalDatabase } from "../support/portal-database";
import { openApiChecker } from "../support/openapi-check";
import { setTestEnv } from "../support/config";

const RATE_LIMIT = 80;
let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
  setTestEnv({
    ENTRA_AUTHORITY_HOST: emu.authorityHost,
    ENTRA_CLIENT_ID: DEMO_IDS.clientId,
    ENTRA_CLIENT_SECRET: testCredentials().secret.value,
    ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
    OUTBOUND_TIMEOUT_MS: "5000",
    API_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  });
}, 60_000);
usePortalDatabase("pglite");
afterAll(async () => {
  await emu?.close();
});

/** A token as the back end gets it: msal-node, client credentials, in the given tenant. */
async function msalToken(clientId: string, tenantId: string): Promise<string> {
  const client = new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret: clientAppSecret(testCredentials(), clientId),
      authority: `${emu.authorityHost}/${tenantId}`,
      knownAuthorities: [new URL(emu.authorityHost).host],
    },
  });
  const result = await client.acquireTokenByClientCredential({ scopes: [`api://${DEMO_IDS.clientId}/.default`] });
  if (!result?.accessToken) throw new Error("no token");
  return result.accessToken;
}

const routes = {
  list: () => import("@/app/api/v1/connections/route"),
  one: () => import("@/app/api/v1/connections/[tenantId]/route"),
  openapi: () => import("@/app/api/v1/openapi.json/route"),
};

const BASE = "http://localhost:3000/api/v1";
let token: string;
let expectDocumented: ReturnType<typeof openApiChecker>;

async function list(query: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  return (await routes.list()).GET(new Request(`${BASE}/connections${query}`, { headers }));
}
async function one(tenantId: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  return (await routes.one()).GET(new Request(`${BASE}/connections/${tenantId}`, { headers }), {
    params: Promise.resolve({ tenantId }),
  });
}

// 1,000 connected tenants (10 with consent removed), 5 that never consented; the first 60 have environments.
const OUTCOMES = ["PASSED", "WARNING", "FAILED", null] as const;
const tenantIds = Array.from({ length: 1000 }, () => randomUUID()).sort();
const notConnected = Array.from({ length: 5 }, () => randomUUID());
const revoked = new Set(tenantIds.slice(100, 110));
const outcomeOf = (i: number) => OUTCOMES[i % OUTCOMES.length]!;

beforeAll(async () => {
  const { db } = await import("@/lib/db/client");
  await db().tenant.createMany({
    data: [
      ...tenantIds.map((id, i) => ({
        id,
        displayName: `Customer ${i}`,
        primaryDomain: `customer${i}.example`,
        customerReference: `CUST-${String(i).padStart(4, "0")}`,
        consentState: revoked.has(id) ? ("REVOKED" as const) : ("GRANTED" as const),
        consentGrantedAt: new Date("2026-01-01T00:00:00Z"),
        latestCheckOutcome: outcomeOf(i),
        latestCheckAt: outcomeOf(i) ? new Date("2026-11-01T10:00:00Z") : null,
      })),
      ...notConnected.map((id) => ({ id, consentState: "NOT_GRANTED" as const })),
    ],
  });
  await db().environment.createMany({
    data: tenantIds.slice(0, 60).map((tenantId, i) => ({
      tenantId,
      url: `https://org${i}.crm${i % 2 ? "4" : ""}.dynamics.com`,
      organizationId: randomUUID(),
      friendlyName: `Org ${i}`,
      latestCheckOutcome: outcomeOf(i),
      latestCheckAt: outcomeOf(i) ? new Date("2026-11-01T10:00:00Z") : null,
      latestFailingStep: outcomeOf(i) === "FAILED" ? "application-user" : null,
    })),
  });
  const response = await (await routes.openapi()).GET(new Request(`${BASE}/openapi.json`));
  expectDocumented = openApiChecker((await response.json()) as Record<string, unknown>);
  token = await msalToken(DEMO_IDS.clientApps.backEnd, DEMO_IDS.tenants.northwind);
}, 120_000);

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document describing both operations and the lifecycle webhook", async () => {
    const response = await (await routes.openapi()).GET(new Request(`${BASE}/openapi.json`));
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown> & {
      paths: Record<string, unknown>;
      servers: Array<{ url: string }>;
    };
    const result = await validateOpenApi(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual(["/connections", "/connections/{tenantId}"]);
    expect(Object.keys(document.webhooks as object)).toEqual(["lifecycleEvent"]);
    expect(document.servers[0]!.url).toBe(`${BASE}`);
  });
});

describe("GET /connections", () => {
  it("lists connected tenants with their environments, state, last verification and the customer reference", async () => {
    expect(decodeJwt(token)).toMatchObject({
      iss: `${emu.authorityHost}/${DEMO_IDS.tenants.northwind}/v2.0`,
      roles: ["Connections.Read"],
    });
    const response = await list("?limit=5");
    expect(response.status).toBe(200);
    const body = (await expectDocumented("/connections", response)) as {
      data: Array<Record<string, unknown>>;
      nextCursor: string | null;
    };
    expect(body.data).toHaveLength(5);
    expect(body.nextCursor).toEqual(expect.any(String));
    const first = body.data[0]!;
    expect(first).toEqual({
      tenantId: tenantIds[0],
      customerReference: "CUST-0000",
      displayName: "Customer 0",
      primaryDomain: "customer0.example",
      state: "healthy",
      consentGrantedAt: "2026-01-01T00:00:00.000Z",
      lastVerifiedAt: "2026-11-01T10:00:00.000Z",
      updatedAt: expect.any(String),
      environments: [
        {
          id: expect.any(String),
          url: "https://org0.crm.dynamics.com",
          organizationId: expect.any(String),
          region: "crm",
          cloud: "public",
          friendlyName: "Org 0",
          state: "healthy",
          lastVerifiedAt: "2026-11-01T10:00:00.000Z",
          failingStep: null,
          registeredAt: expect.any(String),
        },
      ],
      subscription: null,
    });
    expect(body.data[2]).toMatchObject({
      state: "broken",
      environments: [{ state: "broken", failingStep: "application-user", region: "crm" }],
    });
    expect(body.data[1]).toMatchObject({ environments: [{ region: "crm4" }] });
  });

  it("pages through all 1,000 connected tenants with the cursor, each once, in order; never-consented tenants are not listed", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await list(`?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      const body = (await expectDocumented("/connections", response)) as {
        data: Array<{ tenantId: string }>;
        nextCursor: string | null;
      };
      seen.push(...body.data.map((c) => c.tenantId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(tenantIds);
    for (const id of notConnected) expect(seen).not.toContain(id);
  });

  it("filters by state and by updated-since", async () => {
    const removed = (await (await list("?state=consent_removed&limit=200")).json()) as {
      data: Array<{ tenantId: string; state: string }>;
    };
    expect(removed.data.map((c) => c.tenantId).sort()).toEqual([...revoked].sort());
    const broken = (await (await list("?state=broken&limit=200")).json()) as {
      data: Array<{ state: string; tenantId: string }>;
      nextCursor: string | null;
    };
    const expectedBroken = tenantIds.filter((id, i) => !revoked.has(id) && outcomeOf(i) === "FAILED");
    expect(broken.data.every((c) => c.state === "broken")).toBe(true);
    expect(expectedBroken.length).toBeGreaterThan(200);
    expect(broken.data.map((c) => c.tenantId)).toEqual(expectedBroken.slice(0, 200));
    expect(broken.nextCursor).toEqual(expect.any(String));

    const { db } = await import("@/lib/db/client");
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date();
    await db().environment.updateMany({ where: { tenantId: tenantIds[7] }, data: { friendlyName: "Renamed" } });
    await db().tenant.update({ where: { id: tenantIds[500] }, data: { customerReference: "CUST-CHANGED" } });
    const changed = (await (await list(`?updatedSince=${encodeURIComponent(since.toISOString())}`)).json()) as {
      data: Array<{ tenantId: string; customerReference: string }>;
    };
    expect(changed.data.map((c) => c.tenantId)).toEqual([tenantIds[7], tenantIds[500]]);
    expect(changed.data[1]!.customerReference).toBe("CUST-CHANGED");
  });

  it("answers 304 to If-None-Match with the current ETag, and a new ETag after a change", async () => {
    const first = await list("?limit=3");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await list("?limit=3", { authorization: `Bearer ${token}`, "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    await expectDocumented("/connections", again);
    const { db } = await import("@/lib/db/client");
    await db().tenant.update({ where: { id: tenantIds[1] }, data: { customerReference: "CUST-NEW" } });
    const changed = await list("?limit=3", { authorization: `Bearer ${token}`, "if-none-match": etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it.each([
    ["a malformed cursor", "?cursor=not*a*cursor", "cursor"],
    ["a cursor of another shape", `?cursor=${Buffer.from("v1:not-a-tenant").toString("base64url")}`, "cursor"],
    ["an unknown filter", "?colour=blue", "colour"],
    ["a huge page size", "?limit=100000", "limit"],
    ["a page size that is no number", "?limit=ten", "limit"],
    ["an unknown state", "?state=sleepy", "state"],
    ["a time without offset", "?updatedSince=2026-11-01", "updatedSince"],
    ["a repeated parameter", "?limit=5&limit=6", "limit"],
    // Names that are properties of every JavaScript object: unknown parameters like any other (issue 19 item 5).
    ["a parameter named __proto__", "?__proto__=x", "__proto__"],
    ["a parameter named constructor", "?constructor=x", "constructor"],
    ["a parameter named toString", "?toString=x&limit=2", "toString"],
  ])("refuses %s with 400 problem+json naming the parameter", async (_what, query, name) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = (await expectDocumented("/connections", response)) as { invalidParams: Array<{ name: string }> };
    expect(body.invalidParams.map((p) => p.name).join(" ")).toContain(name);
  });
});

describe("GET /connections/{tenantId}", () => {
  it("answers one tenant, 304 on its ETag, 404 for an unknown or never-consented tenant, 400 for a non-GUID", async () => {
    const response = await one(tenantIds[2]!);
    expect(response.status).toBe(200);
    const body = (await expectDocumented("/connections/{tenantId}", response)) as {
      tenantId: string;
      state: string;
      customerReference: string;
    };
    expect(body).toMatchObject({ tenantId: tenantIds[2], state: "broken", customerReference: "CUST-0002" });
    const cached = await one(tenantIds[2]!, {
      authorization: `Bearer ${token}`,
      "if-none-match": response.headers.get("etag")!,
    });
    expect(cached.status).toBe(304);
    expect((await one(tenantIds[105]!).then((r) => r.json())) as { state: string }).toMatchObject({
      state: "consent_removed",
    });
    for (const id of [randomUUID(), notConnected[0]!]) {
      const missing = await one(id);
      expect(missing.status).toBe(404);
      await expectDocumented("/connections/{tenantId}", missing);
    }
    const bad = await one("not-a-guid");
    expect(bad.status).toBe(400);
    await expectDocumented("/connections/{tenantId}", bad);
  });
});

describe("every Microsoft GUID shape (issue 19 item 15)", () => {
  // Not RFC 9562 UUIDs: version 0, and the Microsoft variant (`c`); Entra and Dataverse ids are 8-4-4-4-12 hex of
  // any version and variant, and the API must take them as input and give them in its answers.
  const TENANT = "00000000-0000-0000-0000-0000000000f1";
  const MS_VARIANT_TENANT = "C0FFEE00-1234-0234-C234-123456789ABC";
  const ORGANIZATION = "f0000000-0000-0000-e000-000000000001";

  it("lists and answers tenants and organizations whose ids are not RFC 9562 UUIDs, and accepts them as a path parameter", async () => {
    const { db } = await import("@/lib/db/client");
    // Only what this test creates may be newer than `since`: the file's thousand tenants (written in beforeAll, maybe
    // less than a second ago on a fast machine) would otherwise fill the page before these two.
    const [tenantsMax, environmentsMax] = await Promise.all([
      db().tenant.aggregate({ _max: { updatedAt: true } }),
      db().environment.aggregate({ _max: { updatedAt: true } }),
    ]);
    const newest = Math.max(tenantsMax._max.updatedAt?.getTime() ?? 0, environmentsMax._max.updatedAt?.getTime() ?? 0);
    while (Date.now() <= newest + 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date(newest + 1).toISOString();
    const ids = [TENANT, MS_VARIANT_TENANT.toLowerCase()];
    try {
      for (const id of ids) {
        await db().tenant.create({
          data: { id, displayName: `GUID ${id}`, consentState: "GRANTED", consentGrantedAt: new Date() },
        });
        await db().environment.create({
          data: { tenantId: id, url: `https://g${id.slice(0, 8)}.crm.dynamics.com`, organizationId: ORGANIZATION },
        });
      }
      const listed = await list(`?updatedSince=${encodeURIComponent(since)}&limit=200`);
      expect(listed.status).toBe(200);
      const body = (await expectDocumented("/connections", listed)) as {
        data: Array<{ tenantId: string; environments: Array<{ organizationId: string }> }>;
      };
      expect(
        body.data.filter((c) => ids.includes(c.tenantId)).map((c) => [c.tenantId, c.environments[0]?.organizationId]),
      ).toEqual(ids.sort().map((id) => [id, ORGANIZATION]));
      for (const id of [TENANT, MS_VARIANT_TENANT]) {
        const answer = await one(id);
        expect(answer.status, id).toBe(200);
        expect(await expectDocumented("/connections/{tenantId}", answer)).toMatchObject({
          tenantId: id.toLowerCase(),
          environments: [{ organizationId: ORGANIZATION }],
        });
      }
    } finally {
      await db().tenant.deleteMany({ where: { id: { in: ids } } });
    }
  });

  it("still refuses what is not a GUID at all", async () => {
    for (const id of [
      "00000000-0000-0000-0000-00000000000g",
      "00000000000000000000000000000000",
      "{00000000-0000-0000-0000-000000000000}",
    ]) {
      expect((await one(id)).status, id).toBe(400);
    }
  });
});

describe("outside the documented operations", () => {
  it("answers an unknown path with 404 and another method with 405, as problem+json", async () => {
    const unknown = await (await import("@/app/api/v1/[...path]/route")).GET();
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    const post = await (await routes.list()).POST();
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect(await post.json()).toMatchObject({ status: 405, title: "Method not allowed" });
  });
});

describe("refusals", () => {
  async function refused(headers: Record<string, string>, status: number, challenge: RegExp) {
    const response = await list("", headers);
    expect(response.status).toBe(status);
    expect(response.headers.get("www-authenticate")).toMatch(challenge);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    return (await expectDocumented("/connections", response)) as { detail: string };
  }

  it("no token → 401 with a bare Bearer challenge; a malformed header → 401 invalid_request", async () => {
    await refused({}, 401, /^Bearer realm="api\/v1"$/);
    await refused({ authorization: "Basic abc" }, 401, /error="invalid_request"/);
  });

  it("a token of another tenant (an app there holding the role) → 401 invalid_token", async () => {
    const foreign = await msalToken(DEMO_IDS.clientApps.foreign, DEMO_IDS.tenants.fabrikam);
    expect(decodeJwt(foreign).roles).toEqual(["Connections.Read"]);
    const body = await refused(
      { authorization: `Bearer ${foreign}` },
      401,
      /^Bearer realm="api\/v1", error="invalid_token"/,
    );
    expect(body.detail).toMatch(/not issued by the vendor's tenant/);
  });

  it("a home-tenant token without the role → 403 insufficient_scope", async () => {
    const noRole = await msalToken(DEMO_IDS.clientApps.noRole, DEMO_IDS.tenants.northwind);
    const body = await refused(
      { authorization: `Bearer ${noRole}` },
      403,
      /error="insufficient_scope".*scope="Connections.Read"/,
    );
    expect(body.detail).toMatch(/needs the application role Connections.Read/);
  });

  it("an expired token and a token for another audience, signed by Entra's key → 401 invalid_token", async () => {
    const claims = decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await emu.admin.issueToken({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
    expect((await refused({ authorization: `Bearer ${expired}` }, 401, /error="invalid_token"/)).detail).toMatch(
      /expired/,
    );
    const otherAudience = await emu.admin.issueToken({ ...claims, aud: "00000003-0000-0000-c000-000000000000" });
    expect((await refused({ authorization: `Bearer ${otherAudience}` }, 401, /error="invalid_token"/)).detail).toMatch(
      /another audience/,
    );
    const tampered = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(342)}`;
    expect((await refused({ authorization: `Bearer ${tampered}` }, 401, /error="invalid_token"/)).detail).toMatch(
      /signature/,
    );
  });

  it("limits each calling application's rate: 429 with Retry-After", async () => {
    // The limit counts one-minute windows: start clear of a minute's end, so all the requests fall in one window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    let response: Response | undefined;
    for (let i = 0; i <= RATE_LIMIT; i++) {
      response = await one(tenantIds[0]!);
      if (response.status === 429) break;
      expect(response.status).toBe(200);
    }
    expect(response!.status).toBe(429);
    expect(Number(response!.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectDocumented("/connections/{tenantId}", response!);
  });
});
