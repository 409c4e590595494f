/**
 * A third-party Dataverse client nobody here wrote, `dynamics-web-api` (pinned 2.5.0), against the emulator: it
 * pages through a collection by `@odata.nextLink` (retrieveAll), with its own `maxPageSize` and with the server's
 * default page size, reads formatted values, and surfaces the emulator's refusal of an option it does not implement.
 */
import dns from "node:dns";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DynamicsWebApi } from "dynamics-web-api";
import { startEmulator, type EmulatorHandle, DEMO_IDS, withSettings } from "@tenant-onboarding/emulator";
import { appToken } from "./helpers";

let emu: EmulatorHandle;
let token: string;
const realLookup = dns.lookup;

beforeAll(async () => {
  // The library makes its own https.Agent; Node does not resolve *.localhost here (emulator/net.ts), so point those
  // names at loopback for this file, as the helpers' undici agent does.
  vi.spyOn(dns, "lookup").mockImplementation(((
    hostname: string,
    options: dns.LookupOptions,
    callback: (...args: unknown[]) => void,
  ) => {
    if (!/(^|\.)localhost\.?$/i.test(hostname))
      return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
    if (typeof options === "object" && options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
  }) as unknown as typeof dns.lookup);
  emu = await startEmulator();
});
beforeEach(async () => {
  emu.admin.reset();
  token = await appToken(emu, DEMO_IDS.tenants.fabrikam, "fabrikam");
});
afterAll(async () => {
  vi.restoreAllMocks();
  await emu.close();
});

const ALL_ACCOUNTS = ["Fourth Coffee", "Lucerne Publishing", "Margie's Travel", "Proseware, Inc.", "Trey Research"];

function client(): DynamicsWebApi {
  return new DynamicsWebApi({
    serverUrl: emu.environmentUrl("fabrikam"),
    dataApi: { version: "9.2" },
    onTokenRefresh: async () => token,
  });
}

describe("dynamics-web-api 2.5.0 against the emulated Dataverse", () => {
  it("retrieveAll follows @odata.nextLink with its own maxPageSize", async () => {
    const first = await client().retrieveMultiple<{ name: string }>({
      collection: "accounts",
      select: ["name"],
      orderBy: ["name asc"],
      maxPageSize: 2,
    });
    expect(first.value.map((a) => a.name)).toEqual(ALL_ACCOUNTS.slice(0, 2));
    expect(first.oDataNextLink).toEqual(expect.stringContaining("$skiptoken="));
    const all = await client().retrieveAll<{ name: string }>({
      collection: "accounts",
      select: ["name"],
      orderBy: ["name asc"],
      maxPageSize: 2,
    });
    expect(all.value.map((a) => a.name)).toEqual(ALL_ACCOUNTS);
    const pages = emu.requestLog().filter((e) => e.kind === "dataverse" && e.path.endsWith("/accounts"));
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it("retrieveAll follows the server's default page size too, and reads formatted values", async () => {
    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { defaultPageSize: 2 }));
    const all = await client().retrieveAll<Record<string, unknown>>({
      collection: "accounts",
      select: ["name", "statecode"],
      orderBy: ["name asc"],
      includeAnnotations: "OData.Community.Display.V1.FormattedValue",
    });
    expect(all.value.map((a) => a.name)).toEqual(ALL_ACCOUNTS);
    // The library renames `statecode@OData.Community.Display.V1.FormattedValue` to `statecode_Formatted`.
    expect(all.value.map((a) => a.statecode_Formatted)).toEqual(ALL_ACCOUNTS.map(() => "Active"));
  });

  it("gets the 400 of a FetchXML query instead of every row", async () => {
    const fetchXml = '<fetch><entity name="account"><attribute name="name"/></entity></fetch>';
    await expect(client().fetchAll({ collection: "accounts", fetchXml })).rejects.toMatchObject({
      status: 400,
      code: "0x0",
    });
  });
});
