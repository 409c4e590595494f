// getAllPages (lib/dataverse/web-api.ts, docs/protocol/dataverse.md "Paging"): follows @odata.nextLink to the last
// page, but only on the environment's own Web API, so the bearer token never leaves it; a link that loops or never
// ends is Dataverse's protocol error, not an endless walk.
import { beforeEach, describe, expect, it, vi } from "vitest";

const requests: { url: string; authorization: string | undefined }[] = [];
let pages: Record<string, unknown> = {};

vi.mock("@/lib/http/outbound", () => ({
  outboundFetch: async (_service: string, url: string, request: { headers?: Record<string, string> } = {}) => {
    requests.push({ url, authorization: request.headers?.Authorization });
    const body = pages[url];
    return body === undefined
      ? new Response("{}", { status: 404 })
      : new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  },
}));

const ENV = "https://contoso.crm.dynamics.com";
const API = `${ENV}/api/data/v9.2`;

beforeEach(() => {
  requests.length = 0;
  pages = {};
});

describe("getAllPages", () => {
  it("follows @odata.nextLink as written until a page has none, on the org host and its .api. twin", async () => {
    const second = `https://contoso.api.crm.dynamics.com/api/data/v9.2/roles?$select=name&$skiptoken=%3Ccookie%20pagenumber=%222%22%20/%3E`;
    const third = `${API}/roles?$select=name&$skiptoken=%3Ccookie%20pagenumber=%223%22%20/%3E`;
    pages = {
      [`${API}/roles?$select=name`]: { value: [{ name: "a" }], "@odata.nextLink": second },
      [second]: { value: [{ name: "b" }], "@odata.nextLink": third },
      [third]: { value: [{ name: "c" }] },
    };
    const { getAllPages } = await import("@/lib/dataverse/web-api");
    expect(await getAllPages<{ name: string }>(ENV, "tok", "roles?$select=name")).toEqual([
      { name: "a" },
      { name: "b" },
      { name: "c" },
    ]);
    expect(requests.map((r) => r.url)).toEqual([`${API}/roles?$select=name`, second, third]);
    expect(requests.every((r) => r.authorization === "Bearer tok")).toBe(true);
  });

  it("never sends the token to a next page on another host or outside the Web API", async () => {
    const { getAllPages, DataverseProtocolError } = await import("@/lib/dataverse/web-api");
    for (const elsewhere of [
      "https://evil.example/api/data/v9.2/roles?$skiptoken=x",
      "https://fabrikam.crm4.dynamics.com/api/data/v9.2/roles",
      `http://contoso.crm.dynamics.com/api/data/v9.2/roles`,
      `${ENV}/somewhere/else`,
      "not a url",
    ]) {
      requests.length = 0;
      pages = { [`${API}/roles`]: { value: [{ name: "a" }], "@odata.nextLink": elsewhere } };
      await expect(getAllPages(ENV, "tok", "roles"), elsewhere).rejects.toBeInstanceOf(DataverseProtocolError);
      expect(requests.map((r) => r.url)).toEqual([`${API}/roles`]);
    }
  });

  it("refuses a link back to a page already read, and an answer that is not a list", async () => {
    const { getAllPages, DataverseProtocolError } = await import("@/lib/dataverse/web-api");
    pages = { [`${API}/roles`]: { value: [], "@odata.nextLink": `${API}/roles` } };
    await expect(getAllPages(ENV, "tok", "roles")).rejects.toBeInstanceOf(DataverseProtocolError);
    pages = { [`${API}/roles`]: { rows: [] } };
    await expect(getAllPages(ENV, "tok", "roles")).rejects.toBeInstanceOf(DataverseProtocolError);
  });
});
