/**
 * $batch (docs/protocol/dataverse.md B5), service protection and latency faults (B6), Global Discovery (B7).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, scenario, withFault, withSettings } from "@tenant-onboarding/emulator";
import {
  appToken,
  Browser,
  dataverse,
  errorOf,
  REDIRECT_URI,
  resultParams,
  secretOf,
  tenantId,
  tokenRequest,
  vfetch,
} from "./helpers";

let emu: EmulatorHandle;
let contoso: string;
let token: string;
const API = "/api/data/v9.2";

beforeAll(async () => {
  emu = await startEmulator({
    scenario: withFault(
      scenario({
        customers: [
          {
            name: "Contoso",
            users: [
              { name: "Contoso Admin", upn: "admin", admin: true },
              { name: "Contoso User", upn: "user" },
            ],
            environments: [
              { name: "contoso" },
              { name: "contoso-eu", region: "crm4" },
              { name: "contoso-slow", region: "crm11" },
            ],
          },
          { name: "Fabrikam", environments: [{ name: "fabrikam", appUser: "disabled" }] },
        ],
      }),
      { environmentLatencyMs: { "contoso-slow": 300 } },
    ),
  });
  contoso = tenantId(emu, "Contoso");
});
beforeEach(async () => {
  emu.admin.reset();
  token = await appToken(emu, contoso, "contoso");
});
afterAll(async () => {
  await emu.close();
});

function batchBody(boundary: string, parts: string[]): string {
  return `${parts.map((p) => `--${boundary}\r\n${p}`).join("\r\n")}\r\n--${boundary}--\r\n`;
}

function httpPart(requestLine: string, body?: unknown, contentId?: string): string {
  const head = [
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    "",
    requestLine,
  ];
  if (body === undefined) return `${head.join("\r\n")}\r\n`;
  return `${[...head, "Content-Type: application/json; type=entry", "", JSON.stringify(body)].join("\r\n")}\r\n`;
}

function changeSet(boundary: string, parts: string[]): string {
  return `Content-Type: multipart/mixed; boundary=${boundary}\r\n\r\n${batchBody(boundary, parts)}`;
}

async function postBatch(body: string, boundary: string, headers: Record<string, string> = {}) {
  const response = await vfetch(`${emu.environmentUrl("contoso")}${API}/$batch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": `multipart/mixed; boundary="${boundary}"`,
      ...headers,
    },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

describe("$batch", () => {
  it("runs GETs and an atomic change set with Content-ID references", async () => {
    const body = batchBody("batch_1", [
      httpPart(`GET ${emu.environmentUrl("contoso")}${API}/accounts?$select=name&$top=2&$orderby=name HTTP/1.1`),
      changeSet("changeset_1", [
        httpPart(`POST ${API}/accounts HTTP/1.1`, { name: "Batch Parent" }, "1"),
        httpPart("POST contacts HTTP/1.1", { lastname: "Batchling", "parentcustomerid_account@odata.bind": "$1" }, "2"),
      ]),
      httpPart("GET WhoAmI HTTP/1.1"),
    ]);
    const result = await postBatch(body, "batch_1");
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
    expect(result.text).toContain("HTTP/1.1 200 OK");
    expect(result.text).toMatch(/--changesetresponse_[0-9a-f-]{36}/);
    expect(result.text.match(/HTTP\/1\.1 204 No Content/g)).toHaveLength(2);
    expect(result.text).toContain("Content-ID: 1");
    expect(result.text).toContain("OData-EntityId: ");
    expect(result.text).toContain("Microsoft.Dynamics.CRM.WhoAmIResponse");
    const contacts = await dataverse(
      emu,
      "contoso",
      `${API}/contacts?$filter=lastname eq 'Batchling'&$select=_parentcustomerid_value`,
      token,
    );
    const parent = await dataverse(
      emu,
      "contoso",
      `${API}/accounts?$filter=name eq 'Batch Parent'&$select=name`,
      token,
    );
    expect((contacts.json.value as { _parentcustomerid_value: string }[])[0]?._parentcustomerid_value).toBe(
      (parent.json.value as { accountid: string }[])[0]?.accountid,
    );
    expect(emu.requestLog().filter((e) => e.kind === "dataverse.batch-part")).toHaveLength(4);
  });

  it("rolls back a failed change set and answers with the failing response", async () => {
    const body = batchBody("b", [
      changeSet("cs", [
        httpPart(`POST ${API}/accounts HTTP/1.1`, { name: "Should Vanish" }, "1"),
        httpPart(`DELETE ${API}/accounts(${crypto.randomUUID()}) HTTP/1.1`, undefined, "2"),
      ]),
    ]);
    const result = await postBatch(body, "b");
    // Without continue-on-error the batch answers with the failing request's status (docs/protocol/dataverse.md).
    // The DELETE names no existing account: 404, the change set's POST is undone.
    expect(result.status).toBe(404);
    expect(result.text).toMatch(/HTTP\/1\.1 404 Not Found/);
    const after = await dataverse(emu, "contoso", `${API}/accounts?$filter=name eq 'Should Vanish'`, token);
    expect(after.json.value).toEqual([]);
  });

  it("stops at the first failure and answers with its status; with odata.continue-on-error answers 200 with every part", async () => {
    const parts = [
      httpPart("GET WhoAmI HTTP/1.1"),
      httpPart(`GET ${API}/businessunits?$select=name HTTP/1.1`),
      httpPart(`GET ${API}/accounts?$select=name&$top=1 HTTP/1.1`),
    ];
    emu.admin.clearRequestLog();
    const stopped = await postBatch(batchBody("b", parts), "b");
    expect(stopped.status).toBe(403);
    expect(stopped.contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    // Only the failing part: the WhoAmI before it is not in the body, the accounts read after it never ran.
    expect(stopped.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(stopped.text).toContain("HTTP/1.1 403 Forbidden");
    expect(stopped.text).toContain('"code":"0x80040220"');
    expect(stopped.text).toContain("is missing prvReadBusinessUnit privilege");
    expect(emu.requestLog().filter((e) => e.kind === "dataverse.batch-part")).toHaveLength(2);

    const continued = await vfetch(`${emu.environmentUrl("contoso")}${API}/$batch`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": 'multipart/mixed; boundary="b"',
        prefer: "odata.continue-on-error",
      },
      body: batchBody("b", parts),
    });
    expect(continued.status).toBe(200);
    expect(continued.headers.get("preference-applied")).toBe("odata.continue-on-error");
    const text = await continued.text();
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 403", "HTTP/1.1 200"]);
  });

  it("keeps the parts before the failure when the scenario says so ([U] setting)", async () => {
    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { stoppedBatchIncludesEarlierParts: true }));
    try {
      const stopped = await postBatch(
        batchBody("b", [httpPart("GET WhoAmI HTTP/1.1"), httpPart(`GET ${API}/businessunits HTTP/1.1`)]),
        "b",
      );
      expect(stopped.status).toBe(403);
      expect(stopped.text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 403"]);
    } finally {
      emu.admin.reset();
    }
  });

  it("authorizes every inner request as the outer token", async () => {
    const result = await postBatch(
      batchBody("b", [httpPart(`DELETE ${API}/accounts(${crypto.randomUUID()}) HTTP/1.1`)]),
      "b",
    );
    expect(result.text).toMatch(/HTTP\/1\.1 40[34]/);
    const accountId = emu.scenario.environments.find((e) => e.name === "contoso")?.accounts[0]?.id;
    const denied = await postBatch(batchBody("b", [httpPart(`DELETE ${API}/accounts(${accountId}) HTTP/1.1`)]), "b");
    expect(denied.text).toContain("HTTP/1.1 403 Forbidden");
    expect(denied.text).toContain("missing prvDeleteaccount privilege");
  });

  it("refuses malformed batches with OData 400s", async () => {
    expect((await postBatch("garbage", "b")).status).toBe(400);
    const noBoundary = await vfetch(`${emu.environmentUrl("contoso")}${API}/$batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(noBoundary.status).toBe(400);
    const getInChangeSet = await postBatch(
      batchBody("b", [changeSet("cs", [httpPart(`GET ${API}/accounts HTTP/1.1`)])]),
      "b",
    );
    expect(getInChangeSet.status).toBe(400);
    expect((await postBatch(batchBody("b", [httpPart(`POST ${API}/$batch HTTP/1.1`, {})]), "b")).status).toBe(400);
  });
});

describe("service protection and latency faults", () => {
  it.each([
    ["0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds."],
    [
      "0x80072321",
      "Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds.",
    ],
    ["0x80072326", "Number of concurrent requests exceeded the limit of 52."],
  ] as const)("429 %s with Retry-After for the next N requests only", async (code, message) => {
    emu.admin.throttle({ environment: "contoso", count: 2, retryAfterSeconds: 7, code });
    for (let i = 0; i < 2; i++) {
      const result = await dataverse(emu, "contoso", `${API}/WhoAmI`, token);
      expect(result.status).toBe(429);
      expect(result.headers.get("retry-after")).toBe("7");
      expect(errorOf(result.json).code).toBe(code);
      expect(errorOf(result.json).message.startsWith(message)).toBe(true);
    }
    expect((await dataverse(emu, "contoso", `${API}/WhoAmI`, token)).status).toBe(200);
  });

  it("throttles only the named environment and counts only authenticated requests", async () => {
    emu.admin.throttle({ environment: "contoso-eu", count: 1 });
    expect((await dataverse(emu, "contoso", `${API}/WhoAmI`, token)).status).toBe(200);
    expect((await dataverse(emu, "contoso-eu", `${API}/WhoAmI`, undefined)).status).toBe(401);
    const eu = await appToken(emu, contoso, "contoso-eu");
    expect((await dataverse(emu, "contoso-eu", `${API}/WhoAmI`, eu)).status).toBe(429);
    expect((await dataverse(emu, "contoso-eu", `${API}/WhoAmI`, eu)).status).toBe(200);
  });

  it("adds per-environment and global latency", async () => {
    const slow = await appToken(emu, contoso, "contoso-slow");
    let started = Date.now();
    expect((await dataverse(emu, "contoso-slow", `${API}/WhoAmI`, slow)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    emu.admin.setFaults({ latencyMs: 200 });
    started = Date.now();
    await tokenRequest(emu, contoso, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.environmentUrl("contoso")}/.default`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it("a disabled application user from the builder one-liner gets 403", async () => {
    const fabrikamToken = await appToken(emu, tenantId(emu, "Fabrikam"), "fabrikam");
    expect((await dataverse(emu, "fabrikam", `${API}/WhoAmI`, fabrikamToken)).status).toBe(403);
  });
});

describe("Global Discovery (docs/protocol/dataverse.md B7)", () => {
  async function userDiscoveryToken(label: string): Promise<string> {
    const browser = new Browser(emu);
    const url = new URL(`${emu.authorityHost}/organizations/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: emu.scenario.app.clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: `openid offline_access ${emu.globalDiscoveryUrl}//user_impersonation`,
      state: "s",
    })) {
      url.searchParams.set(k, v);
    }
    const picked = await browser.click(await browser.open(url.toString()), label);
    // Global Discovery is not among the registration's static permissions: the first request asks for consent.
    expect(picked.html).toContain("Find the Dataverse environments you can access");
    const code = resultParams(await browser.click(picked, "Accept")).get("code") ?? "";
    const tokens = await tokenRequest(emu, "organizations", {
      grant_type: "authorization_code",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect(tokens.status).toBe(200);
    return String(tokens.body.access_token);
  }

  it("challenges with the common authority when unauthenticated", async () => {
    const response = await vfetch(`${emu.globalDiscoveryUrl}/api/discovery/v2.0/Instances`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer authorization_uri=${emu.authorityHost}/common/oauth2/authorize, resource_id=${emu.globalDiscoveryUrl}/`,
    );
  });

  it("lists the signed-in user's environments with the documented fields", async () => {
    const userToken = await userDiscoveryToken("Sign in as Contoso Admin");
    const response = await vfetch(`${emu.globalDiscoveryUrl}/api/discovery/v2.0/Instances`, {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { value: Record<string, unknown>[] };
    expect(body.value.map((i) => i.UrlName).sort()).toEqual(["contoso", "contoso-eu", "contoso-slow"]);
    const first = body.value.find((i) => i.UrlName === "contoso");
    expect(first).toMatchObject({
      Url: emu.environmentUrl("contoso"),
      ApiUrl: emu.environmentUrl("contoso", { api: true }),
      TenantId: contoso,
      IsUserSysAdmin: true,
      Region: "NAM",
      State: 0,
    });
    for (const field of [
      "Id",
      "UniqueName",
      "FriendlyName",
      "Version",
      "LastUpdated",
      "EnvironmentId",
      "Purpose",
      "OrganizationType",
      "TrialExpirationDate",
      "StatusMessage",
      "DatacenterId",
      "SchemaType",
    ]) {
      expect(first).toHaveProperty(field);
    }
    const filtered = await vfetch(
      `${emu.globalDiscoveryUrl}/api/discovery/v2.0/Instances?$select=UrlName,Url&$filter=Region eq 'EUR'`,
      { headers: { authorization: `Bearer ${userToken}` } },
    );
    expect(((await filtered.json()) as { value: unknown[] }).value).toEqual([
      { Id: expect.any(String) as unknown, UrlName: "contoso-eu", Url: emu.environmentUrl("contoso-eu") },
    ]);
  });

  it("gives app-only tokens an empty list", async () => {
    const result = await tokenRequest(emu, contoso, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.globalDiscoveryUrl}/.default`,
    });
    const response = await vfetch(`${emu.globalDiscoveryUrl}/api/discovery/v2.0/Instances`, {
      headers: { authorization: `Bearer ${String(result.body.access_token)}` },
    });
    expect(((await response.json()) as { value: unknown[] }).value).toEqual([]);
  });
});
