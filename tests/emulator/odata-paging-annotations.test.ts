/**
 * Where the emulated Dataverse must be as strict as the real one (issue 19, items 11–13;
 * docs/protocol/dataverse.md "Paging", "Query options", "Annotations"): server-driven paging with
 * `Prefer: odata.maxpagesize` and `@odata.nextLink`, refusal of query options it does not implement, and the
 * annotations `Prefer: odata.include-annotations` asks for (formatted values, lookup data, error details).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, DEMO_IDS, withSettings } from "@tenant-onboarding/emulator";
import { appToken, dataverse, errorOf, vfetch } from "./helpers";

let emu: EmulatorHandle;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(async () => {
  emu.admin.reset();
  token = await appToken(emu, DEMO_IDS.tenants.fabrikam, "fabrikam");
});
afterAll(async () => {
  await emu.close();
});

const API = "/api/data/v9.2";
const ALL_ACCOUNTS = ["Fourth Coffee", "Lucerne Publishing", "Margie's Travel", "Proseware, Inc.", "Trey Research"];

type Page = { status: number; json: Record<string, unknown>; headers: Headers };

async function follow(nextLink: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await vfetch(nextLink, {
    headers: { accept: "application/json", authorization: `Bearer ${token}`, ...headers },
  });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown>,
    headers: response.headers as unknown as Headers,
  };
}

const names = (page: { json: Record<string, unknown> }) => (page.json.value as { name: string }[]).map((a) => a.name);

describe('paging (docs/protocol/dataverse.md "Paging")', () => {
  it("Prefer: odata.maxpagesize=2 → two rows, Preference-Applied and an @odata.nextLink with a $skiptoken, followed to the end", async () => {
    const first = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$orderby=name asc`, token, {
      headers: { prefer: "odata.maxpagesize=2" },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get("preference-applied")).toBe("odata.maxpagesize=2");
    expect(names(first)).toEqual(ALL_ACCOUNTS.slice(0, 2));
    const next = String(first.json["@odata.nextLink"]);
    // The original query options, then the server's paging cookie (as in Microsoft's example).
    expect(
      next.startsWith(`${emu.environmentUrl("fabrikam")}${API}/accounts?$select=name&$orderby=name%20asc&$skiptoken=`),
    ).toBe(true);
    expect(decodeURIComponent(new URL(next).searchParams.get("$skiptoken") ?? "")).toMatch(
      /^<cookie pagenumber="2" pagingcookie=".*" istracking="False" \/>$/,
    );

    const second = await follow(next, { prefer: "odata.maxpagesize=2" });
    expect(second.headers.get("preference-applied")).toBe("odata.maxpagesize=2");
    expect(names(second)).toEqual(ALL_ACCOUNTS.slice(2, 4));
    const third = await follow(String(second.json["@odata.nextLink"]), { prefer: "odata.maxpagesize=2" });
    expect(names(third)).toEqual(ALL_ACCOUNTS.slice(4));
    expect(third.json).not.toHaveProperty("@odata.nextLink");
  });

  it("pages at the configured default page size (Dataverse: 5,000) without any Prefer header, and ignores a max page size above 5,000", async () => {
    const unpaged = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name`, token);
    expect(unpaged.json).not.toHaveProperty("@odata.nextLink");
    expect(unpaged.headers.get("preference-applied")).toBeNull();

    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { defaultPageSize: 2 }));
    const first = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$orderby=name asc`, token);
    expect(names(first)).toEqual(ALL_ACCOUNTS.slice(0, 2));
    expect(first.headers.get("preference-applied")).toBeNull();
    expect(first.json["@odata.nextLink"]).toEqual(expect.any(String));
    const tooLarge = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$orderby=name asc`, token, {
      headers: { prefer: "odata.maxpagesize=6000" },
    });
    expect(names(tooLarge)).toEqual(ALL_ACCOUNTS.slice(0, 2));
    expect(tooLarge.headers.get("preference-applied")).toBeNull();
  });

  it("$top limits the rows and is never paged below it; with odata.maxpagesize it is ignored", async () => {
    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { defaultPageSize: 1 }));
    const top = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$orderby=name asc&$top=3`, token);
    expect(names(top)).toEqual(ALL_ACCOUNTS.slice(0, 3));
    expect(top.json).not.toHaveProperty("@odata.nextLink");
    const both = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$orderby=name asc&$top=1`, token, {
      headers: { prefer: "odata.maxpagesize=2" },
    });
    expect(names(both)).toEqual(ALL_ACCOUNTS.slice(0, 2));
    expect(both.json["@odata.nextLink"]).toEqual(expect.any(String));
  });

  it("a filtered collection (navigation) is paged too; an expanded collection is not, and carries its own nextLink without paging information", async () => {
    emu.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadBusinessUnit", "Local");
    const who = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, token);
    const userId = String(who.json.UserId);
    emu.admin.assignRole("fabrikam", "Basic User");
    const nav = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers(${userId})/systemuserroles_association?$select=name&$orderby=name asc`,
      token,
      { headers: { prefer: "odata.maxpagesize=1" } },
    );
    expect(names(nav)).toEqual(["Basic User"]);
    const rest = await follow(String(nav.json["@odata.nextLink"]), { prefer: "odata.maxpagesize=1" });
    expect(names(rest)).toEqual(["Northwind Sync Integration"]);
    expect(rest.json).not.toHaveProperty("@odata.nextLink");

    const expanded = await dataverse(
      emu,
      "fabrikam",
      `${API}/systemusers(${userId})?$select=fullname&$expand=systemuserroles_association($select=name)`,
      token,
      { headers: { prefer: "odata.maxpagesize=1" } },
    );
    expect((expanded.json.systemuserroles_association as unknown[]).length).toBe(2);
    expect(expanded.json["systemuserroles_association@odata.nextLink"]).toBe(
      `${emu.environmentUrl("fabrikam")}${API}/systemusers(${userId})/systemuserroles_association?$select=name`,
    );
  });

  it("a $skiptoken the server did not write is a 400", async () => {
    const result = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&$skiptoken=nonsense`, token);
    expect(result.status).toBe(400);
  });
});

describe('query options the emulator does not implement are refused (docs/protocol/dataverse.md "Query options")', () => {
  it("fetchXml, savedQuery and userQuery get a 400 instead of every row", async () => {
    const fetchXml = encodeURIComponent(
      '<fetch top="1"><entity name="account"><attribute name="name"/></entity></fetch>',
    );
    for (const query of [
      `fetchXml=${fetchXml}`,
      "savedQuery=00000000-0000-0000-00aa-000010001002",
      "userQuery=121c6fd8-1975-e511-80d4-00155d2a68d1",
      "$apply=aggregate($count as total)",
    ]) {
      const result = await dataverse(emu, "fabrikam", `${API}/accounts?${query}`, token);
      expect(result.status, query).toBe(400);
      expect(errorOf(result.json).code, query).toBe("0x0");
      expect(errorOf(result.json).message, query).toMatch(
        /^The query parameter (fetchXml|savedQuery|userQuery|\$apply) is not supported/,
      );
    }
  });

  it("an unknown parameter, a system option in the wrong case, and $skip get Dataverse's own refusal", async () => {
    const unknown = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name&utm_source=FetchXMLBuilder`, token);
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      error: { code: "0x0", message: "The query parameter utm_source is not supported" },
    });
    for (const [path, name] of [
      [`accounts?$TOP=1`, "$TOP"],
      ["accounts?$skip=2", "$skip"],
      ["WhoAmI?x=1", "x"],
    ] as const) {
      const result = await dataverse(emu, "fabrikam", `${API}/${path}`, token);
      expect(result.status, path).toBe(400);
      expect(errorOf(result.json), path).toEqual({
        code: "0x0",
        message: `The query parameter ${name} is not supported`,
      });
    }
  });
});

describe('annotations (docs/protocol/dataverse.md "Annotations")', () => {
  const FORMATTED = "@OData.Community.Display.V1.FormattedValue";

  it('include-annotations="*" adds formatted values and lookup data, and says so in Preference-Applied', async () => {
    const who = await dataverse(emu, "fabrikam", `${API}/WhoAmI`, token);
    const path = `${API}/systemusers(${String(who.json.UserId)})?$select=fullname,isdisabled,accessmode,_businessunitid_value`;
    const plain = await dataverse(emu, "fabrikam", path, token);
    expect(
      Object.keys(plain.json).some((k) => k.includes("@OData.Community") || k.includes("@Microsoft.Dynamics")),
    ).toBe(false);

    const annotated = await dataverse(emu, "fabrikam", path, token, {
      headers: { prefer: 'odata.include-annotations="*"' },
    });
    expect(annotated.headers.get("preference-applied")).toBe('odata.include-annotations="*"');
    const bu = emu.admin.state().scenario.environments.find((e) => e.name === "fabrikam")!.businessUnits[0]!;
    expect(annotated.json).toMatchObject({
      [`isdisabled${FORMATTED}`]: "Enabled",
      isdisabled: false,
      [`accessmode${FORMATTED}`]: "Non-interactive",
      accessmode: 4,
      [`_businessunitid_value${FORMATTED}`]: bu.name,
      "_businessunitid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "businessunit",
      "_businessunitid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "businessunitid",
      _businessunitid_value: bu.id,
    });
  });

  it("only the annotations asked for, in collections and expansions too", async () => {
    const result = await dataverse(
      emu,
      "fabrikam",
      `${API}/accounts?$select=name,statecode,_ownerid_value&$top=1`,
      token,
      {
        headers: { prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
      },
    );
    expect(result.headers.get("preference-applied")).toBe(
      'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
    );
    const row = (result.json.value as Record<string, unknown>[])[0]!;
    expect(row[`statecode${FORMATTED}`]).toBe("Active");
    expect(row[`_ownerid_value${FORMATTED}`]).toEqual(expect.any(String));
    expect(row).not.toHaveProperty("_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname");
    expect(row).not.toHaveProperty(`name${FORMATTED}`);
  });

  it("errors carry Microsoft.PowerApps.CDS annotations when asked for: the help link, the error details, the inner message", async () => {
    const missing = crypto.randomUUID();
    const plain = await dataverse(emu, "fabrikam", `${API}/accounts(${missing})`, token);
    expect(plain.json).toEqual({
      error: { code: "0x80040217", message: `Entity 'account' With Id = ${missing} Does Not Exist` },
    });

    const all = await dataverse(emu, "fabrikam", `${API}/accounts(${missing})`, token, {
      headers: { prefer: 'odata.include-annotations="*"' },
    });
    expect(all.status).toBe(404);
    expect(all.json.error).toMatchObject({
      code: "0x80040217",
      message: `Entity 'account' With Id = ${missing} Does Not Exist`,
      "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionCategory": "ClientError",
      "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionMessageName": "ObjectDoesNotExist",
      "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode": "404",
      "@Microsoft.PowerApps.CDS.HelpLink":
        "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80040217&client=platform",
      "@Microsoft.PowerApps.CDS.InnerError.Message": `Entity 'account' With Id = ${missing} Does Not Exist`,
    });

    const detailsOnly = await dataverse(emu, "fabrikam", `${API}/accounts(${missing})`, token, {
      headers: { prefer: 'odata.include-annotations="Microsoft.PowerApps.CDS.ErrorDetails*"' },
    });
    const error = detailsOnly.json.error as Record<string, unknown>;
    expect(error["@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode"]).toBe("404");
    expect(error).not.toHaveProperty("@Microsoft.PowerApps.CDS.HelpLink");
  });

  it("a missing privilege names PrivilegeDenied", async () => {
    emu.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadAccount", null);
    const refused = await dataverse(emu, "fabrikam", `${API}/accounts?$select=name`, token, {
      headers: { prefer: 'odata.include-annotations="*"' },
    });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({
      code: "0x80040220",
      "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionMessageName": "PrivilegeDenied",
      "@Microsoft.PowerApps.CDS.HelpLink":
        "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80040220&client=platform",
    });
  });
});
