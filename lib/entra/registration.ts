import "server-only";

// The app registration as Microsoft Graph shows it in the ISV's home tenant, read app-only with the portal's own
// token (docs/protocol/graph.md): the application (its own, no permission needed), its service principal, the
// service principals of the APIs it asks permissions of, who holds its roles, what application permissions it was
// granted and the delegated grants (Application.Read.All / Directory.Read.All in the home tenant). For `npm run
// doctor`; never called by the running portal. Each read is its own answer: a refusal of one is reported, the rest
// still read.
import { z } from "zod";
import { outboundFetch } from "@/lib/http/outbound";

export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const DYNAMICS_CRM_APP_ID = "00000007-0000-0000-c000-000000000000";

const appRole = z.object({
  id: z.string(),
  value: z.string().nullable(),
  allowedMemberTypes: z.array(z.string()),
  isEnabled: z.boolean(),
});
const permissionScope = z.object({ id: z.string(), value: z.string().nullable(), isEnabled: z.boolean() });

export const applicationSchema = z.object({
  id: z.string(),
  appId: z.string(),
  displayName: z.string().nullable(),
  signInAudience: z.string().nullable(),
  web: z
    .object({ redirectUris: z.array(z.string()).default([]) })
    .nullable()
    .default(null),
  spa: z
    .object({ redirectUris: z.array(z.string()).default([]) })
    .nullable()
    .default(null),
  appRoles: z.array(appRole).default([]),
  requiredResourceAccess: z
    .array(
      z.object({ resourceAppId: z.string(), resourceAccess: z.array(z.object({ id: z.string(), type: z.string() })) }),
    )
    .default([]),
  keyCredentials: z
    .array(
      z.object({
        keyId: z.string(),
        customKeyIdentifier: z.string().nullable(),
        endDateTime: z.string().nullable(),
        key: z.string().nullable().optional(),
        displayName: z.string().nullable(),
      }),
    )
    .default([]),
  passwordCredentials: z
    .array(
      z.object({
        keyId: z.string(),
        hint: z.string().nullable(),
        endDateTime: z.string().nullable(),
        displayName: z.string().nullable(),
      }),
    )
    .default([]),
});
export type GraphApplication = z.infer<typeof applicationSchema>;

export const servicePrincipalSchema = z.object({
  id: z.string(),
  appId: z.string(),
  displayName: z.string().nullable(),
  accountEnabled: z.boolean().nullable().default(true),
  appRoles: z.array(appRole).default([]),
  oauth2PermissionScopes: z.array(permissionScope).default([]),
});
export type GraphServicePrincipal = z.infer<typeof servicePrincipalSchema>;

export const appRoleAssignmentSchema = z.object({
  appRoleId: z.string(),
  principalId: z.string(),
  principalType: z.string().nullable(),
  principalDisplayName: z.string().nullable(),
  resourceId: z.string(),
});
export type GraphAppRoleAssignment = z.infer<typeof appRoleAssignmentSchema>;

export const permissionGrantSchema = z.object({
  clientId: z.string(),
  consentType: z.string(),
  principalId: z.string().nullable(),
  resourceId: z.string(),
  scope: z.string().nullable(),
});
export type GraphPermissionGrant = z.infer<typeof permissionGrantSchema>;

export type GraphRead<T> =
  { ok: true; value: T } | { ok: false; status: number | null; code: string | null; message: string };

const SELECT_APPLICATION =
  "id,appId,displayName,signInAudience,web,spa,appRoles,requiredResourceAccess,keyCredentials,passwordCredentials";

async function graphGet(url: string, token: string): Promise<GraphRead<unknown>> {
  let response: Awaited<ReturnType<typeof outboundFetch>>;
  try {
    response = await outboundFetch("graph", url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
  } catch (error) {
    return { ok: false, status: null, code: null, message: error instanceof Error ? error.message : String(error) };
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: reported below by status.
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    return {
      ok: false,
      status: response.status,
      code: error?.code ?? null,
      message: error?.message ?? `Graph answered ${response.status}`,
    };
  }
  return { ok: true, value: body };
}

async function readOne<T>(url: string, token: string, schema: z.ZodType<T>): Promise<GraphRead<T>> {
  const read = await graphGet(url, token);
  if (!read.ok) return read;
  const parsed = schema.safeParse(read.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        status: 200,
        code: "malformed",
        message: `Graph's answer is not the expected object: ${parsed.error.issues[0]?.message ?? ""}`,
      };
}

/** Every page of a collection (follows @odata.nextLink, G-40). */
async function readAll<T>(url: string, token: string, schema: z.ZodType<T>): Promise<GraphRead<T[]>> {
  const items: T[] = [];
  let next: string | undefined = url;
  for (let pages = 0; next && pages < 50; pages++) {
    const read = await graphGet(next, token);
    if (!read.ok) return read;
    const page = z.object({ value: z.array(schema), "@odata.nextLink": z.string().optional() }).safeParse(read.value);
    if (!page.success)
      return { ok: false, status: 200, code: "malformed", message: "Graph's answer is not the expected collection" };
    items.push(...page.data.value);
    next = page.data["@odata.nextLink"];
  }
  return { ok: true, value: items };
}

export type RegistrationView = {
  application: GraphRead<GraphApplication>;
  servicePrincipal: GraphRead<GraphServicePrincipal>;
  /** The service principals of the APIs the registration asks permissions of (by their appId), the app's own included. */
  resources: Map<string, GraphRead<GraphServicePrincipal>>;
  /** Who holds the app's roles (users, groups, client apps). */
  roleHolders: GraphRead<GraphAppRoleAssignment[]> | null;
  /** The application permissions the app's service principal holds. */
  appPermissions: GraphRead<GraphAppRoleAssignment[]> | null;
  /** Delegated grants of the app's service principal. */
  delegatedGrants: GraphRead<GraphPermissionGrant[]> | null;
};

/** Reads the registration of `clientId` in the tenant the token was issued in. */
export async function readRegistration(graphUrl: string, token: string, clientId: string): Promise<RegistrationView> {
  const v1 = `${graphUrl}/v1.0`;
  const [application, servicePrincipal] = await Promise.all([
    readOne(`${v1}/applications(appId='${clientId}')?$select=${SELECT_APPLICATION}`, token, applicationSchema),
    readOne(`${v1}/servicePrincipals(appId='${clientId}')`, token, servicePrincipalSchema),
  ]);
  const resources = new Map<string, GraphRead<GraphServicePrincipal>>();
  const resourceIds = new Set([
    MICROSOFT_GRAPH_APP_ID,
    ...(application.ok ? application.value.requiredResourceAccess.map((r) => r.resourceAppId.toLowerCase()) : []),
  ]);
  for (const appId of resourceIds) {
    if (appId === clientId.toLowerCase() && servicePrincipal.ok) resources.set(appId, servicePrincipal);
    else
      resources.set(appId, await readOne(`${v1}/servicePrincipals(appId='${appId}')`, token, servicePrincipalSchema));
  }
  if (!servicePrincipal.ok)
    return { application, servicePrincipal, resources, roleHolders: null, appPermissions: null, delegatedGrants: null };
  const sp = servicePrincipal.value.id;
  const [roleHolders, appPermissions, delegatedGrants] = await Promise.all([
    readAll(`${v1}/servicePrincipals/${sp}/appRoleAssignedTo`, token, appRoleAssignmentSchema),
    readAll(`${v1}/servicePrincipals/${sp}/appRoleAssignments`, token, appRoleAssignmentSchema),
    readAll(
      `${v1}/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${sp}'`)}`,
      token,
      permissionGrantSchema,
    ),
  ]);
  return { application, servicePrincipal, resources, roleHolders, appPermissions, delegatedGrants };
}
