import { describe, expect, it } from "vitest";
import { parseBearerChallenge } from "@/lib/dataverse/challenge";

describe("parseBearerChallenge", () => {
  it("reads Dataverse's documented challenge (docs/protocol/dataverse.md B2)", () => {
    expect(
      parseBearerChallenge(
        "Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize, resource_id=https://org1e971638.crm4.dynamics.com/",
      ),
    ).toEqual({
      authorityOrigin: "https://login.microsoftonline.com",
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      resourceId: "https://org1e971638.crm4.dynamics.com/",
    });
  });

  it("tolerates case, quotes and spacing", () => {
    expect(
      parseBearerChallenge(
        'bearer  Resource_Id="https://a.crm.dynamics.com/" ,  AUTHORIZATION_URI="https://login.microsoftonline.us/BD6C851F-0000-4000-8000-000000000001/oauth2/authorize"',
      ),
    ).toMatchObject({
      authorityOrigin: "https://login.microsoftonline.us",
      tenantId: "bd6c851f-0000-4000-8000-000000000001",
    });
  });

  it.each([
    [null],
    [""],
    ["Basic realm=x"],
    ["Bearer resource_id=https://a.crm.dynamics.com/"],
    ["Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=https://a/"],
    ["Bearer authorization_uri=not a url, resource_id=https://a/"],
    [
      "Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize",
    ],
  ])("returns null for %s", (header) => {
    expect(parseBearerChallenge(header)).toBeNull();
  });
});
