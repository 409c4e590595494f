/**
 * Dataverse Web API (docs/protocol/dataverse.md B2-B4, B6): the bearer challenge, token validation, Dataverse's own
 * authorization (application user, disabled, privileges), OData queries, writes, role association.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, DEMO_IDS, withSettings } from "@tenant-onboarding/emulator";
import { privilegeId } from "@tenant-onboarding/emulator/testing";
import { appToken, Browser, dataverse, errorOf, REDIRECT_URI, resultParams, secretOf, tokenRequest } from "./helpers";

let emu: EmulatorHandle;
let fabrikamToken: string;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(async () => {
  emu.admin.reset();
  fabrikamToken = await appToken(emu, DEMO_IDS.tenants.fabrikam, "fabrikam");
});
afterAll(async () => {
  await emu.close();
});

const API = "/api/data/v9.2";

function expectDataverseError(
  result: { status: number; json: Record<string, unknown> },
  status: number,
  code: string,
): string {
  expect(result.status).toBe(status);
  const error = errorOf(result.json);
  expect(error.code).toBe(code);
  return error.message;
}

describe("bearer challenge and token validation (docs/protocol/dataverse.md B2)", () => {
  it("answers an unauthenticated probe with the exact WWW-Authenticate header", async () => {
    for (const path of [`${API}/`, "/api/data/", `${API}/WhoAmI`]) {
      const result = await dataverse(emu, "fabrikam", path, undefined);
      expect(result.status).toBe(401);
      expect(result.headers.get("www-authenticate")).toBe(
        `Bearer authorization_uri=${emu.authorityHost}/${DEMO_IDS.tenants.fabrikam}/oauth2/authorize, resource_id=https://fabrikam.crm4.dynamics.localhost:${emu.port}/`,
      );
    }
    const api = await dataverse(emu, "contoso", `${API}/`, undefined, { api: true });
    expect(api.headers.get("www-authenticate")).toBe(
      `Bearer authorization_uri=${emu.authorityHost}/${DEMO_IDS.tenants.contoso}/oauth2/authorize, resource_id=https://contoso.crm.dynamics.localhost:${emu.port}/`,
    );
  });

  it("accepts the org-host token on the .api. twin and the reverse", async () => {
    expect((await dataverse(emu, "fabrikam", `${API}/WhoAmI`, fabrikamToken, { api: true })).status).toBe(200);
    const apiAudience = await tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.environmentUrl("fabrikam", { api: true })}//.default`,
    });
    expect((await dataverse(emu, "fabrikam", `${API}/WhoAmI`, String(apiAudience.body.access_token))).status).toBe(200);
  });

  it("401 for a token of another tenant, another audience, expired, or tampered", async () => {
    const challenge = `Bearer authorization_uri=${emu.authorityHost}/${DEMO_IDS.tenants.fabrikam}/oauth2/authorize, resource_id=https://fabrikam.crm4.dynamics.localhost:${emu.port}/`;
    // Entra issues a token for the Fabrikam URL from Adventure Works (it never checks the org): Dataverse refuses it.
    const foreign = await tokenRequest(emu, DEMO_IDS.tenants.adventureWorks, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.environmentUrl("fabrikam")}/.default`,
    });
    expect(foreign.status).toBe(200);
    const wrongTenant = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, String(foreign.body.access_token));
    expect(wrongTenant.status).toBe(401);
    expect(wrongTenant.headers.get("www-authenticate")).toBe(challenge);

    const otherEnv = await appToken(emu, DEMO_IDS.tenants.adventureWorks, "adventureworks");
    expect((await dataverse(emu, "fabrikam", `${API}/WhoAmI`, otherEnv)).status).toBe(401);

    const now = Math.floor(Date.now() / 1000);
    const expired = await emu.admin.issueToken({
      aud: emu.environmentUrl("fabrikam"),
      iss: `https://sts.windows.net/${DEMO_IDS.tenants.fabrikam}/`,
      tid: DEMO_IDS.tenants.fabrikam,
      appid: emu.scenario.app.clientId,
      idtyp: "app",
      iat: now - 7200,
      nbf: now - 7200,
      exp: now - 3600,
      ver: "1.0",
    });
    const expiredResult = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, expired);
    expect(expiredResult.status).toBe(401);
    expect(expiredResult.headers.get("www-authenticate")).toBe(challenge);

    const [h, p, s] = fabrikamToken.split(".");
    const tampered = `${h}.${p}.${(s ?? "").slice(0, -4)}AAAA`;
    expect((await dataverse(emu, "fabrikam", `${API}/WhoAmI`, tampered)).status).toBe(401);
    expect((await dataverse(emu, "fabrikam", `${API}/WhoAmI`, "not-a-jwt")).status).toBe(401);
  });
});

describe("Dataverse authorization (docs/protocol/dataverse.md B6)", () => {
  it("WhoAmI returns the application user; WhoAmI() too", async () => {
    const result = await dataverse(emu, "fabrikam", `${API}/WhoAmI()`, fabrikamToken);
    expect(result.status).toBe(200);
    expect(result.headers.get("odata-version")).toBe("4.0");
    expect(result.headers.get("content-type")).toBe("application/json; odata.metadata=minimal");
    const env = emu.scenario.environments.find((e) => e.name === "fabrikam");
    const appUser = env?.systemUsers.find((u) => u.applicationId === emu.scenario.app.clientId);
    expect(result.json).toEqual({
      "@odata.context": `${emu.environmentUrl("fabrikam")}${API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: appUser?.businessUnitId,
      UserId: appUser?.id,
      OrganizationId: env?.organizationId,
    });
  });

  it("403 0x80072560 when the app has no application user", async () => {
    emu.admin.grantConsent("Contoso");
    const token = await appToken(emu, DEMO_IDS.tenants.contoso, "contoso");
    const message = expectDataverseError(await dataverse(emu, "contoso", `${API}/WhoAmI`, token), 403, "0x80072560");
    expect(message).toBe("The user is not a member of the organization.");
  });

  it("403 for a disabled application user", async () => {
    emu.admin.setApplicationUserDisabled("fabrikam", true);
    const message = expectDataverseError(
      await dataverse(emu, "fabrikam", `${API}/WhoAmI`, fabrikamToken),
      403,
      "0x8004430d",
    );
    expect(message).toMatch(
      /^The user with SystemUserId=[0-9a-f-]{36} in OrganizationContext=[0-9a-f-]{36} is disabled\. Disabled users cannot access the system\./,
    );
  });

  it("403 0x80040220 naming prvReadaccount for an application user without a role", async () => {
    const token = await appToken(emu, DEMO_IDS.tenants.adventureWorks, "adventureworks");
    expect((await dataverse(emu, "adventureworks", `${API}/WhoAmI`, token)).status).toBe(200);
    const whoAmI = await dataverse(emu, "adventureworks", `${API}/WhoAmI`, token);
    const userId = String(whoAmI.json.UserId);
    const message = expectDataverseError(
      await dataverse(emu, "adventureworks", `${API}/accounts?$select=name`, token),
      403,
      "0x80040220",
    );
    expect(message).toBe(
      `Principal user (Id=${userId}, type=8, roleCount=0, privilegeCount=0, accessMode=4), is missing prvReadaccount privilege (Id=${privilegeId("prvReadAccount")}) on OTC=1 for entity 'account'. context.Caller=${userId}`,
    );
    // Reading its own user row and its own privileges needs prvReadUser too (docs/protocol/dataverse.md).
    const ownRow = expectDataverseError(
      await dataverse(emu, "adventureworks", `${API}/systemusers(${userId})?$select=fullname`, token),
      403,
      "0x80040220",
    );
    expect(ownRow).toBe(
      `Principal user (Id=${userId}, type=8, roleCount=0, privilegeCount=0, accessMode=4), is missing prvReadUser privilege (Id=${privilegeId("prvReadUser")}) on OTC=8 for entity 'systemuser'. context.Caller=${userId}`,
    );
    const privileges = await dataverse(
      emu,
      "adventureworks",
      `${API}/systemusers(${userId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`,
      token,
    );
    expect(expectDataverseError(privileges, 403, "0x80040220")).toContain("is missing prvReadUser privilege");
    expect(
      expectDataverseError(
        await dataverse(emu, "adventureworks", `${API}/roles?$select=name`, token),
        403,
        "0x80040220",
      ),
    ).toContain("is missing prvReadRole privilege");
    // WhoAmI needs none.
    expect((await dataverse(emu, "adventureworks", `${API}/WhoAmI`, token)).status).toBe(200);
  });

  it("a User-level (Basic) prvReadUser does not reach even the caller's own row; Business Unit level does", async () => {
    emu.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadUser", "Basic");
    try {
      const who = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, fabrikamToken);
      const denied = await dataverse(
        emu,
        "fabrikam",
        `${API}/systemusers(${String(who.json.UserId)})?$select=fullname`,
        fabrikamToken,
      );
      expect(expectDataverseError(denied, 403, "0x80040220")).toContain("ObjectTypeCode: 8");
      emu.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadUser", "Local");
      expect(
        (
          await dataverse(
            emu,
            "fabrikam",
            `${API}/systemusers(${String(who.json.UserId)})?$select=fullname`,
            fabrikamToken,
          )
        ).status,
      ).toBe(200);
    } finally {
      emu.admin.reset();
    }
  });

  it("the lenient reading of security tables is a setting, off by default", async () => {
    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { enforceSecurityTableReadPrivileges: false }));
    try {
      const token = await appToken(emu, DEMO_IDS.tenants.adventureWorks, "adventureworks");
      const who = await dataverse(emu, "adventureworks", `${API}/WhoAmI`, token);
      expect(
        (
          await dataverse(
            emu,
            "adventureworks",
            `${API}/systemusers(${String(who.json.UserId)})?$select=fullname`,
            token,
          )
        ).status,
      ).toBe(200);
    } finally {
      emu.admin.reset();
    }
  });

  it("a missing write privilege names it too (prvDeleteaccount)", async () => {
    const accounts = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$top=1`, fabrikamToken);
    const id = String((accounts.json.value as { accountid: string }[])[0]?.accountid);
    const message = expectDataverseError(
      await dataverse(emu, "fabrikam", `${API}/accounts(${id})`, fabrikamToken, { method: "DELETE" }),
      403,
      "0x80040220",
    );
    expect(message).toContain("is missing prvDeleteaccount privilege");
    expect(message).toContain("roleCount=1, privilegeCount=8, accessMode=4");
  });
});

describe("OData queries (docs/protocol/dataverse.md B4)", () => {
  it("finds the application user by applicationid (GUID literal unquoted)", async () => {
    const clientId = emu.scenario.app.clientId;
    const result = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers?$filter=applicationid eq ${clientId}&$select=systemuserid,fullname,applicationid,azureactivedirectoryobjectid,isdisabled,accessmode,_businessunitid_value`,
      fabrikamToken,
    );
    expect(result.status).toBe(200);
    expect(result.json["@odata.context"]).toBe(
      `${emu.environmentUrl("fabrikam")}${API}/$metadata#systemusers(systemuserid,fullname,applicationid,azureactivedirectoryobjectid,isdisabled,accessmode,_businessunitid_value)`,
    );
    const users = result.json.value as Record<string, unknown>[];
    expect(users).toHaveLength(1);
    const sp = emu.scenario.tenants.find((t) => t.id === DEMO_IDS.tenants.fabrikam)?.servicePrincipalObjectId;
    expect(users[0]).toMatchObject({
      fullname: "Northwind Sync",
      applicationid: clientId,
      azureactivedirectoryobjectid: sp,
      isdisabled: false,
      accessmode: 4,
    });
    expect(String(users[0]?.["@odata.etag"])).toMatch(/^W\/"\d+"$/);
  });

  it("refuses a quoted GUID literal like Dataverse (incompatible types)", async () => {
    const result = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers?$filter=applicationid eq '${emu.scenario.app.clientId}'`,
      fabrikamToken,
    );
    expect(result.status).toBe(400);
    expect(errorOf(result.json).message).toContain(
      "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String'",
    );
  });

  it("root business unit, role by name and BU, roles of a user with $expand and navigation", async () => {
    // The integration role does not read business units: prvReadBusinessUnit is required and named.
    const refused = await dataverse(emu, "fabrikam", `${API}/businessunits?$select=businessunitid`, fabrikamToken);
    expect(expectDataverseError(refused, 403, "0x80040220")).toContain("is missing prvReadBusinessUnit privilege");
    emu.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadBusinessUnit", "Local");
    const bu = await dataverse(
      emu,
      "fabrikam",
      `${API}/businessunits?$select=businessunitid,name&$filter=_parentbusinessunitid_value eq null`,
      fabrikamToken,
    );
    const root = (bu.json.value as { businessunitid: string }[])[0]?.businessunitid;
    expect(root).toBeTruthy();
    const roles = await dataverse(
      emu,
      "fabrikam",
      `${API}/roles?$select=roleid,name&$filter=name eq 'Northwind Sync Integration' and _businessunitid_value eq ${root}`,
      fabrikamToken,
    );
    expect((roles.json.value as unknown[]).length).toBe(1);
    const who = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, fabrikamToken);
    const nav = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers(${String(who.json.UserId)})/systemuserroles_association?$select=roleid,name`,
      fabrikamToken,
    );
    expect((nav.json.value as { name: string }[]).map((r) => r.name)).toEqual(["Northwind Sync Integration"]);
    const expanded = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers?$select=fullname&$filter=applicationid eq ${emu.scenario.app.clientId}&$expand=systemuserroles_association($select=name,roleid)`,
      fabrikamToken,
    );
    const user = (expanded.json.value as { systemuserroles_association: { name: string }[] }[])[0];
    expect(user?.systemuserroles_association.map((r) => r.name)).toEqual(["Northwind Sync Integration"]);
  });

  it("RetrieveUserPrivileges lists the role's privileges", async () => {
    const who = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, fabrikamToken);
    const result = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers(${String(who.json.UserId)})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`,
      fabrikamToken,
    );
    expect(result.json["@odata.context"]).toBe(
      `${emu.environmentUrl("fabrikam")}${API}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`,
    );
    const privileges = result.json.RolePrivileges as Record<string, unknown>[];
    expect(privileges.map((p) => p.PrivilegeName).sort()).toEqual([
      "prvCreateAccount",
      "prvCreateContact",
      "prvReadAccount",
      "prvReadContact",
      "prvReadRole",
      "prvReadUser",
      "prvWriteAccount",
      "prvWriteContact",
    ]);
    expect(privileges.find((p) => p.PrivilegeName === "prvReadUser")).toMatchObject({ Depth: "Local" });
    expect(privileges[0]).toMatchObject({
      Depth: "Global",
      BusinessUnitId: who.json.BusinessUnitId,
      RecordFilterId: null,
    });
  });

  it("top 3 accounts by name; $count; versions v9.0 and v9.1", async () => {
    const result = await dataverse(
      emu,
      "fabrikam",
      `${API}/accounts?$select=name&$top=3&$orderby=name asc&$count=true`,
      fabrikamToken,
    );
    expect((result.json.value as { name: string }[]).map((a) => a.name)).toEqual([
      "Fourth Coffee",
      "Lucerne Publishing",
      "Margie's Travel",
    ]);
    expect(result.json["@odata.count"]).toBe(5);
    const desc = await dataverse(
      emu,
      "fabrikam",
      "/api/data/v9.0/accounts?$select=name&$orderby=name desc&$top=1",
      fabrikamToken,
    );
    expect((desc.json.value as { name: string }[])[0]?.name).toBe("Trey Research");
    const filtered = await dataverse(
      emu,
      "fabrikam",
      "/api/data/v9.1/accounts?$select=name&$filter=startswith(name,'pro') or contains(name, 'COFFEE')",
      fabrikamToken,
    );
    expect((filtered.json.value as { name: string }[]).map((a) => a.name).sort()).toEqual([
      "Fourth Coffee",
      "Proseware, Inc.",
    ]);
  });

  it("answers malformed queries with OData 400s and unknown things with 404s", async () => {
    expectDataverseError(
      await dataverse(emu, "fabrikam", `${API}/accounts?$select=nosuchcolumn`, fabrikamToken),
      400,
      "0x80060888",
    );
    expectDataverseError(
      await dataverse(emu, "fabrikam", `${API}/accounts?$filter=name eq`, fabrikamToken),
      400,
      "0x80060888",
    );
    expectDataverseError(
      await dataverse(emu, "fabrikam", `${API}/accounts?$filter=name eq 'unterminated`, fabrikamToken),
      400,
      "0x80060888",
    );
    expect((await dataverse(emu, "fabrikam", `${API}/accounts?$skip=2`, fabrikamToken)).status).toBe(400);
    expect((await dataverse(emu, "fabrikam", `${API}/accounts?$top=-1`, fabrikamToken)).status).toBe(400);
    expect((await dataverse(emu, "fabrikam", `${API}/accounts(not-a-guid)`, fabrikamToken)).status).toBe(400);
    const missing = crypto.randomUUID();
    const notFound = expectDataverseError(
      await dataverse(emu, "fabrikam", `${API}/accounts(${missing})`, fabrikamToken),
      404,
      "0x80040217",
    );
    expect(notFound).toBe(`Entity 'account' With Id = ${missing} Does Not Exist`);
    expect((await dataverse(emu, "fabrikam", `${API}/widgets`, fabrikamToken)).status).toBe(404);
    expect((await dataverse(emu, "fabrikam", "/api/data/v8.2/accounts", fabrikamToken)).status).toBe(404);
    expect(
      (await dataverse(emu, "fabrikam", `${API}/accounts`, fabrikamToken, { method: "POST", body: "{not json" }))
        .status,
    ).toBe(400);
    expect(
      (await dataverse(emu, "fabrikam", `${API}/accounts`, fabrikamToken, { method: "POST", body: { nosuch: 1 } }))
        .status,
    ).toBe(400);
  });
});

describe("writes", () => {
  it("creates (204 + OData-EntityId, or 201 with return=representation) and updates accounts", async () => {
    const created = await dataverse(emu, "fabrikam", `${API}/accounts`, fabrikamToken, {
      method: "POST",
      body: { name: "Northwind Test Account", telephone1: "555" },
    });
    expect(created.status).toBe(204);
    const entityId = created.headers.get("odata-entityid") ?? "";
    expect(entityId).toMatch(
      new RegExp(`^${emu.environmentUrl("fabrikam")}${API.replace(/\./g, "\\.")}/accounts\\([0-9a-f-]{36}\\)$`),
    );
    const id = /accounts\(([^)]+)\)/.exec(entityId)?.[1] ?? "";
    expect(
      (
        await dataverse(emu, "fabrikam", `${API}/accounts(${id})`, fabrikamToken, {
          method: "PATCH",
          body: { name: "Renamed" },
        })
      ).status,
    ).toBe(204);
    const read = await dataverse(emu, "fabrikam", `${API}/accounts(${id})?$select=name`, fabrikamToken);
    expect(read.json).toMatchObject({ name: "Renamed", accountid: id });
    expect(read.json["@odata.context"]).toBe(
      `${emu.environmentUrl("fabrikam")}${API}/$metadata#accounts(name)/$entity`,
    );
    const represented = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name`, fabrikamToken, {
      method: "POST",
      body: { name: "With Representation" },
      headers: { prefer: "return=representation" },
    });
    expect(represented.status).toBe(201);
    expect(represented.json.name).toBe("With Representation");
  });

  it("creates the application user with a delegated admin token once consent exists, then assigns the role", async () => {
    // Megan (Contoso Global Administrator, System Administrator in the environment) signs in to the portal.
    const browser = new Browser(emu);
    const url = new URL(`${emu.authorityHost}/${DEMO_IDS.tenants.contoso}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: emu.scenario.app.clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: `openid offline_access ${emu.environmentUrl("contoso")}/user_impersonation`,
      state: "s",
    }))
      url.searchParams.set(k, v);
    const consent = await browser.click(await browser.open(url.toString()), "Sign in as Megan Bowen");
    const code = resultParams(await browser.click(consent, "Accept", { organization: "on" })).get("code") ?? "";
    const tokens = await tokenRequest(emu, DEMO_IDS.tenants.contoso, {
      grant_type: "authorization_code",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      code,
      redirect_uri: REDIRECT_URI,
    });
    const megan = String(tokens.body.access_token);
    expect(tokens.body.scope).toBe(`${emu.environmentUrl("contoso")}/user_impersonation openid`);

    const bu = await dataverse(
      emu,
      "contoso",
      `${API}/businessunits?$select=businessunitid&$filter=_parentbusinessunitid_value eq null`,
      megan,
    );
    const root = (bu.json.value as { businessunitid: string }[])[0]?.businessunitid ?? "";
    const body = {
      applicationid: emu.scenario.app.clientId,
      "businessunitid@odata.bind": `/businessunits(${root})`,
      accessmode: 4,
      isdisabled: false,
    };

    emu.admin.revokeConsent("Contoso");
    expectDataverseError(
      await dataverse(emu, "contoso", `${API}/systemusers`, megan, { method: "POST", body }),
      400,
      "0x80072566",
    );
    emu.admin.grantConsent("Contoso");
    const created = await dataverse(emu, "contoso", `${API}/systemusers`, megan, { method: "POST", body });
    expect(created.status).toBe(204);
    const userUrl = created.headers.get("odata-entityid") ?? "";
    expect(userUrl).toContain("/systemusers(");
    expectDataverseError(
      await dataverse(emu, "contoso", `${API}/systemusers`, megan, { method: "POST", body }),
      412,
      "0x80040237",
    );

    const appTokenBefore = await appToken(emu, DEMO_IDS.tenants.contoso, "contoso");
    expectDataverseError(
      await dataverse(emu, "contoso", `${API}/accounts?$select=name`, appTokenBefore),
      403,
      "0x80040220",
    );

    // Nothing created the integration role in Contoso yet: Megan creates it and gives it its privileges.
    const noRole = await dataverse(
      emu,
      "contoso",
      `${API}/roles?$select=roleid&$filter=name eq 'Northwind Sync Integration'`,
      megan,
    );
    expect(noRole.json.value).toEqual([]);
    const createdRole = await dataverse(emu, "contoso", `${API}/roles`, megan, {
      method: "POST",
      body: { name: "Northwind Sync Integration", "businessunitid@odata.bind": `/businessunits(${root})` },
    });
    expect(createdRole.status).toBe(204);
    const roleId = /roles\(([0-9a-f-]{36})\)/.exec(createdRole.headers.get("odata-entityid") ?? "")?.[1] ?? "";
    const privileges = await dataverse(
      emu,
      "contoso",
      `${API}/privileges?$select=privilegeid,name&$filter=name eq 'prvReadAccount'`,
      megan,
    );
    const readAccount = (privileges.json.value as { privilegeid: string }[])[0]?.privilegeid ?? "";
    expect(
      (
        await dataverse(emu, "contoso", `${API}/roles(${roleId})/Microsoft.Dynamics.CRM.AddPrivilegesRole`, megan, {
          method: "POST",
          body: { Privileges: [{ PrivilegeId: readAccount, Depth: "Global" }] },
        })
      ).status,
    ).toBe(204);
    const rolePrivileges = await dataverse(
      emu,
      "contoso",
      `${API}/RetrieveRolePrivilegesRole(RoleId=@p)?@p=${roleId}`,
      megan,
    );
    expect(rolePrivileges.json.RolePrivileges).toEqual([
      expect.objectContaining({ PrivilegeName: "prvReadAccount", Depth: "Global", PrivilegeId: readAccount }),
    ]);
    const userPath = userUrl.slice(userUrl.indexOf("/api/data/"));
    const associate = await dataverse(emu, "contoso", `${userPath}/systemuserroles_association/$ref`, megan, {
      method: "POST",
      body: { "@odata.id": `${emu.environmentUrl("contoso")}${API}/roles(${roleId})` },
    });
    expect(associate.status).toBe(204);
    expect((await dataverse(emu, "contoso", `${API}/accounts?$select=name`, appTokenBefore)).status).toBe(200);
    // The application user itself may not assign roles (no prvAssignRole in the least-privilege role).
    expectDataverseError(
      await dataverse(emu, "contoso", `${userPath}/systemuserroles_association/$ref`, appTokenBefore, {
        method: "POST",
        body: { "@odata.id": `roles(${roleId})` },
      }),
      403,
      "0x80040220",
    );
    const remove = await dataverse(
      emu,
      "contoso",
      `${userPath}/systemuserroles_association/$ref?$id=${emu.environmentUrl("contoso")}${API}/roles(${roleId})`,
      megan,
      { method: "DELETE" },
    );
    expect(remove.status).toBe(204);
    expect((await dataverse(emu, "contoso", `${API}/accounts?$select=name`, appTokenBefore)).status).toBe(403);
  });
});
