import "server-only";

// Global Discovery (docs/protocol/dataverse.md B7): the environments where the signed-in *user* is provisioned
// and enabled, called with that user's delegated token. Everything it answers is checked before use; the URL
// of a chosen instance still goes through the environment URL rules like a typed one.
import { z } from "zod";
import { DataverseProtocolError, dataverseErrorFrom, readJson } from "@/lib/dataverse/web-api";
import { outboundFetch } from "@/lib/http/outbound";

const instance = z.object({
  Id: z.guid(),
  FriendlyName: z.string().max(200).nullable().optional(),
  UniqueName: z.string().max(200).nullable().optional(),
  UrlName: z.string().max(200).nullable().optional(),
  Url: z.string().max(2048),
  Region: z.string().max(20).nullable().optional(),
  TenantId: z.guid(),
  State: z.number().nullable().optional(),
  OrganizationType: z.number().nullable().optional(),
  Purpose: z.string().max(200).nullable().optional(),
  IsUserSysAdmin: z.boolean().nullable().optional(),
});

const answer = z.object({ value: z.array(z.unknown()).max(5000) });

export type DiscoveredInstance = {
  id: string;
  friendlyName: string;
  url: string;
  region: string | null;
  type: string;
  tenantId: string;
  isUserSysAdmin: boolean | null;
};

/** OrganizationType values named in Microsoft's samples; others are shown by number. */
const ORGANIZATION_TYPES: Record<number, string> = {
  0: "Production",
  5: "Sandbox",
  6: "Developer",
  11: "Trial",
  12: "Default",
};

export async function listInstances(discoveryUrl: string, accessToken: string): Promise<DiscoveredInstance[]> {
  const response = await outboundFetch("dataverse", `${discoveryUrl}/api/discovery/v2.0/Instances`, {
    headers: { Accept: "application/json", Authorization: `Bearer ${accessToken}` },
  });
  const text = await response.text();
  const body = await readJson(text);
  if (!response.ok) throw dataverseErrorFrom(response.status, response.headers as unknown as Headers, body);
  const parsed = answer.safeParse(body);
  if (!parsed.success)
    throw new DataverseProtocolError(
      "Global Discovery answered something that is not a list of environments.",
      response.status,
      text.slice(0, 500),
    );
  return parsed.data.value.flatMap((raw) => {
    const item = instance.safeParse(raw);
    // An entry the portal cannot read is left out rather than failing the whole list.
    if (!item.success) return [];
    const i = item.data;
    return [
      {
        id: i.Id.toLowerCase(),
        friendlyName: i.FriendlyName || i.UniqueName || i.UrlName || i.Url,
        url: i.Url,
        region: i.Region ?? null,
        type:
          i.OrganizationType == null
            ? "Unknown"
            : (ORGANIZATION_TYPES[i.OrganizationType] ?? `Type ${i.OrganizationType}`),
        tenantId: i.TenantId.toLowerCase(),
        isUserSysAdmin: i.IsUserSysAdmin ?? null,
      },
    ];
  });
}
