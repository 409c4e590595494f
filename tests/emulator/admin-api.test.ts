/**
 * The loopback HTTP admin API, the request log, scenario replacement (with a re-issued server
 * certificate), the emulated PPAC page, and the no-crash guarantee.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  handleAdminRequest,
  createAdminRouter,
  type EmulatorRequest,
  RequestLog,
} from "@tenant-onboarding/emulator/testing";
import { startEmulator, type EmulatorHandle, DEMO_IDS, scenario } from "@tenant-onboarding/emulator";
import { appToken, dataverse, secretOf, tokenRequest, vfetch } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

async function admin(method: string, path: string, body?: unknown) {
  const response = await vfetch(`${emu.authorityHost}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

describe("HTTP admin API", () => {
  it("GET /_emulator/state describes tenants, service principals and environments", async () => {
    const { status, json } = await admin("GET", "/state");
    expect(status).toBe(200);
    const state = json as {
      authority: string;
      servicePrincipals: { tenantId: string; consented: boolean }[];
      environments: { name: string; url: string }[];
    };
    expect(state.authority).toBe(emu.authorityHost);
    expect(state.servicePrincipals.find((s) => s.tenantId === DEMO_IDS.tenants.contoso)?.consented).toBe(false);
    expect(state.environments.map((e) => e.name)).toEqual([
      "contoso",
      "fabrikam",
      "adventureworks",
      "adventureworks-dev",
    ]);
    expect(state.environments[0]?.url).toBe(emu.environmentUrl("contoso"));
  });

  it("stages a whole onboarding through actions: consent, app user, role", async () => {
    expect((await admin("POST", "/actions/grantConsent", { tenant: "Contoso" })).status).toBe(204);
    const created = await admin("POST", "/actions/createApplicationUser", { environment: "contoso" });
    expect(created.status).toBe(200);
    expect((created.json as { systemUserId: string }).systemUserId).toMatch(/^[0-9a-f-]{36}$/);
    const token = await appToken(emu, DEMO_IDS.tenants.contoso, "contoso");
    expect((await dataverse(emu, "contoso", "/api/data/v9.2/accounts?$select=name", token)).status).toBe(403);
    // Nothing created the integration role in Contoso yet: the administrator creates it by hand first.
    expect(
      (await admin("POST", "/actions/assignRole", { environment: "contoso", role: "Northwind Sync Integration" }))
        .status,
    ).toBe(404);
    const role = await admin("POST", "/actions/createRole", {
      environment: "contoso",
      name: "Northwind Sync Integration",
      privileges: [{ name: "prvReadAccount", depth: "Global" }],
    });
    expect(role.status).toBe(200);
    expect(
      (await admin("POST", "/actions/assignRole", { environment: "contoso", role: "Northwind Sync Integration" }))
        .status,
    ).toBe(204);
    expect((await dataverse(emu, "contoso", "/api/data/v9.2/accounts?$select=name", token)).status).toBe(200);
    expect(
      (await admin("POST", "/actions/setApplicationUserDisabled", { environment: "contoso", disabled: true })).status,
    ).toBe(204);
    expect((await dataverse(emu, "contoso", "/api/data/v9.2/WhoAmI", token)).status).toBe(403);
    expect((await admin("POST", "/reset")).status).toBe(204);
  });

  it("rotates secrets and disables the app", async () => {
    const added = await admin("POST", "/actions/addSecret", {});
    const value = (added.json as { value: string }).value;
    expect((await admin("POST", "/actions/expireSecret", { keyId: emu.scenario.app.secrets[0]?.keyId })).status).toBe(
      204,
    );
    const fabrikam = DEMO_IDS.tenants.fabrikam;
    const scope = `${emu.environmentUrl("fabrikam")}/.default`;
    const old = await tokenRequest(emu, fabrikam, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: emu.scenario.app.secrets[0]?.value,
      scope,
    });
    expect(old.body.error_codes).toEqual([7000222]);
    expect(
      (
        await tokenRequest(emu, fabrikam, {
          grant_type: "client_credentials",
          client_id: emu.scenario.app.clientId,
          client_secret: value,
          scope,
        })
      ).status,
    ).toBe(200);
    await admin("POST", "/actions/setAppDisabled", { disabled: true });
    expect(
      (
        await tokenRequest(emu, fabrikam, {
          grant_type: "client_credentials",
          client_id: emu.scenario.app.clientId,
          client_secret: value,
          scope,
        })
      ).body.error_codes,
    ).toEqual([7000112]);
    await admin("POST", "/reset");
  });

  it("validates action arguments and names", async () => {
    expect((await admin("POST", "/actions/throttle", { count: "many" })).status).toBe(400);
    expect((await admin("POST", "/actions/nope", {})).status).toBe(404);
    expect((await admin("POST", "/actions/revokeConsent", { tenant: "Unknown Corp" })).status).toBe(404);
    expect((await admin("PUT", "/scenario", { tenants: [] })).status).toBe(400);
    expect((await admin("GET", "/actions/grantConsent")).status).toBe(405);
  });

  it("PUT /_emulator/scenario serves new environments, with a certificate covering their hosts", async () => {
    const next = scenario({ customers: [{ name: "Litware", environments: [{ name: "litware", region: "crm12" }] }] });
    expect((await admin("PUT", "/scenario", next)).status).toBe(204);
    const litware = next.tenants.find((t) => t.displayName === "Litware")?.id ?? "";
    const token = await appToken(emu, litware, "litware");
    const who = await dataverse(emu, "litware", "/api/data/v9.2/WhoAmI", token);
    expect(who.status).toBe(200);
    expect(emu.environmentUrl("litware")).toBe(`https://litware.crm12.dynamics.localhost:${emu.port}`);
    await admin("POST", "/reset");
    expect(() => emu.environmentUrl("litware")).toThrow();
  });

  it("records token and Dataverse requests in the request log", async () => {
    expect((await admin("DELETE", "/requests")).status).toBe(204);
    const token = await appToken(emu, DEMO_IDS.tenants.fabrikam, "fabrikam");
    await dataverse(emu, "fabrikam", "/api/data/v9.2/WhoAmI", token);
    await tokenRequest(emu, DEMO_IDS.tenants.contoso, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.environmentUrl("contoso")}/.default`,
    });
    const { json } = await admin("GET", "/requests");
    // The DELETE itself is logged after it cleared the log; keep the protocol entries.
    const entries = (json as Record<string, unknown>[]).filter((e) => e.kind !== "admin");
    expect(entries[0]).toMatchObject({
      kind: "entra.token",
      method: "POST",
      status: 200,
      tenant: DEMO_IDS.tenants.fabrikam,
      tenantId: DEMO_IDS.tenants.fabrikam,
      grantType: "client_credentials",
      clientAuth: "client_secret_post",
      clientId: emu.scenario.app.clientId,
    });
    expect(entries[1]).toMatchObject({
      kind: "dataverse",
      host: `fabrikam.crm4.dynamics.localhost:${emu.port}`,
      path: "/api/data/v9.2/WhoAmI",
      status: 200,
      environment: "fabrikam",
      tokenTid: DEMO_IDS.tenants.fabrikam,
      tokenAppId: emu.scenario.app.clientId,
    });
    expect(entries[2]).toMatchObject({ kind: "entra.token", status: 400, errorCode: "700016" });
    expect(typeof entries[0]?.time).toBe("string");
    const tokensOnly = (await admin("GET", "/requests?kind=entra.token")).json as unknown[];
    expect(tokensOnly).toHaveLength(2);
    expect(emu.requestLog().some((e) => e.kind === "admin")).toBe(true);
  });

  it("refuses non-loopback callers with 403", async () => {
    const router = createAdminRouter({ state: {} as never, signer: {} as never }, emu.admin);
    const log = new RequestLog().begin({
      host: "x",
      method: "GET",
      path: "/_emulator/state",
      query: "",
      kind: "admin",
    });
    const request: EmulatorRequest = {
      method: "GET",
      url: new URL("https://127.0.0.1/_emulator/state"),
      hostname: "127.0.0.1",
      headers: {},
      body: Buffer.alloc(0),
      remoteAddress: "192.168.1.20",
      log,
    };
    expect((await handleAdminRequest(router, request)).status).toBe(403);
    expect((await handleAdminRequest(router, { ...request, remoteAddress: "::ffff:127.0.0.1" })).status).toBe(200);
  });
});

describe("PPAC page (emulated)", () => {
  it("adds an application user with a role by app ID", async () => {
    emu.admin.grantConsent("Contoso");
    const page = await vfetch(`${emu.authorityHost}/_emulator/ppac`);
    const html = await page.text();
    expect(html).toContain('<label for="appId">Application (client) ID</label>');
    expect(html).toContain("Create application user");
    // The walkthrough's first manual step: create the security role with its privileges.
    const role = await vfetch(`${emu.authorityHost}/_emulator/ppac`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        form: "role",
        environment: "contoso",
        name: "Northwind Sync Integration",
        privileges: "prvReadAccount Organization\nprvReadUser Business Unit\n",
      }).toString(),
    });
    expect(role.status).toBe(200);
    expect(await role.text()).toContain(
      "Security role &quot;Northwind Sync Integration&quot; created in contoso with 2 privileges.",
    );
    const unreadable = await vfetch(`${emu.authorityHost}/_emulator/ppac`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        form: "role",
        environment: "contoso",
        name: "Other",
        privileges: "prvReadAccount everywhere",
      }).toString(),
    });
    expect(unreadable.status).toBe(400);
    const posted = await vfetch(`${emu.authorityHost}/_emulator/ppac`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        environment: "contoso",
        appId: emu.scenario.app.clientId,
        role: "Northwind Sync Integration",
      }).toString(),
    });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain("Application user created in contoso");
    const token = await appToken(emu, DEMO_IDS.tenants.contoso, "contoso");
    expect((await dataverse(emu, "contoso", "/api/data/v9.2/accounts?$select=name", token)).status).toBe(200);
    const again = await vfetch(`${emu.authorityHost}/_emulator/ppac`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        environment: "contoso-missing",
        appId: emu.scenario.app.clientId,
        role: "Basic User",
      }).toString(),
    });
    expect(again.status).toBe(400);
    emu.admin.reset();
  });
});

describe("PPAC page (emulated): managing an existing application user", () => {
  const post = (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) body.append(k, value);
    return vfetch(`${emu.authorityHost}/_emulator/ppac`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
  };
  const appUser = (environment: string) => {
    const env = emu.scenario.environments.find((e) => e.name === environment)!;
    const user = env.systemUsers.find((u) => u.applicationId === emu.scenario.app.clientId)!;
    return { env, user, roles: user.roleIds.map((id) => env.roles.find((r) => r.id === id)?.name) };
  };

  it("activates a disabled application user after the confirmation, and deactivates it again", async () => {
    emu.admin.setApplicationUserDisabled("fabrikam", true);
    const { user } = appUser("fabrikam");
    const html = await (await vfetch(`${emu.authorityHost}/_emulator/ppac`)).text();
    expect(html).toContain("<summary>Activate</summary>");
    expect(html).toContain(`Activate the application user ${user.fullname} in Fabrikam (Production)?`);
    const activated = await post({ form: "activate", environment: "fabrikam", systemUserId: user.id });
    expect(activated.status).toBe(200);
    expect(await activated.text()).toContain(`Application user ${user.fullname} activated in fabrikam.`);
    expect(appUser("fabrikam").user.isDisabled).toBe(false);
    expect((await post({ form: "deactivate", environment: "fabrikam", systemUserId: user.id })).status).toBe(200);
    expect(appUser("fabrikam").user.isDisabled).toBe(true);
    // Not an application user of that environment: refused, nothing changes.
    expect((await post({ form: "activate", environment: "contoso", systemUserId: user.id })).status).toBe(400);
    expect((await post({ form: "activate", environment: "fabrikam", systemUserId: "not-a-user" })).status).toBe(400);
    emu.admin.reset();
  });

  it("edits the security roles: the selected roles of its business unit become its roles, the others are removed", async () => {
    const before = appUser("adventureworks");
    expect(before.roles).toEqual([]);
    const html = await (await vfetch(`${emu.authorityHost}/_emulator/ppac`)).text();
    expect(html).toContain("<summary>Edit security roles</summary>");
    const saved = await post({
      form: "roles",
      environment: "adventureworks",
      systemUserId: before.user.id,
      role: ["Northwind Sync Integration", "Basic User"],
    });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("saved: Northwind Sync Integration, Basic User.");
    expect(appUser("adventureworks").roles.sort()).toEqual(["Basic User", "Northwind Sync Integration"]);
    const token = await appToken(emu, DEMO_IDS.tenants.adventureWorks, "adventureworks");
    expect((await dataverse(emu, "adventureworks", "/api/data/v9.2/accounts?$select=name", token)).status).toBe(200);
    // Deselected roles go; a role the environment does not have is refused and changes nothing.
    expect(
      (await post({ form: "roles", environment: "adventureworks", systemUserId: before.user.id, role: "Basic User" }))
        .status,
    ).toBe(200);
    expect(appUser("adventureworks").roles).toEqual(["Basic User"]);
    const unknown = await post({
      form: "roles",
      environment: "adventureworks",
      systemUserId: before.user.id,
      role: ["Northwind Sync Integration", "Nope"],
    });
    expect(unknown.status).toBe(400);
    expect(appUser("adventureworks").roles).toEqual(["Basic User"]);
    emu.admin.reset();
  });
});

describe("robustness", () => {
  it("answers odd requests without crashing", async () => {
    expect((await vfetch(`${emu.authorityHost}/nope`)).status).toBe(404);
    expect((await vfetch(`${emu.authorityHost}/common/oauth2/v2.0/authorize`, { method: "DELETE" })).status).toBe(405);
    // An org that does not exist is a network failure for clients (real: DNS; here: the certificate
    // does not cover the name), never an HTTP answer.
    await expect(vfetch(`https://nosuchorg.crm.dynamics.localhost:${emu.port}/api/data/v9.2/`)).rejects.toThrow();
    const hugeHeaderToken = "a".repeat(5000);
    expect((await dataverse(emu, "fabrikam", "/api/data/v9.2/WhoAmI", hugeHeaderToken)).status).toBe(401);
    expect(
      (
        await vfetch(`${emu.authorityHost}/common/login`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "txn=zzz&account=a:b",
        })
      ).status,
    ).toBe(400);
    expect(emu.requestLog().some((e) => e.exception)).toBe(false);
  });
});

describe("more malformed input", () => {
  it("answers a malformed URL escape in a Dataverse path with an OData 400", async () => {
    const token = await appToken(emu, DEMO_IDS.tenants.fabrikam, "fabrikam");
    const result = await dataverse(emu, "fabrikam", "/api/data/v9.2/accounts(%E0%A4%A)", token);
    expect(result.status).toBe(400);
    expect((result.json.error as { code: string }).code).toBe("0x80040203");
  });

  it("logout clears the session and redirects to post_logout_redirect_uri", async () => {
    const response = await vfetch(
      `${emu.authorityHost}/common/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("http://localhost:3000/")}`,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://localhost:3000/");
    expect(response.headers.get("set-cookie")).toContain("Max-Age=0");
    const page = await vfetch(`${emu.authorityHost}/common/oauth2/v2.0/logout`);
    expect(await page.text()).toContain("You signed out of your account");
  });
});
