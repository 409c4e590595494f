/**
 * The ISV's app registration as `npm run doctor` finds it: correct, or broken in one way each (docs/operations.md
 * "The doctor"). Built on the demo scenario; the portal's public URL decides the redirect URIs registered.
 */
import type { AppCredentials } from "./credentials";
import { DEMO_IDS, demoScenario } from "./demo-scenario";
import { SUPPORT_OPERATOR } from "./demo-ids";
import { parseScenario, type Scenario } from "./scenario";

export const BROKEN_REGISTRATIONS = [
  /** The admin-consent callback (AUTH_URL/consent/callback) is not a redirect URI of the registration. */
  "redirect-uri-missing",
  /** "Accounts in this organizational directory only". */
  "single-tenant",
  /** The Support.Operator app role is not defined. */
  "app-role-missing",
  /** Nobody of the ISV's staff holds Support.Operator or Support.Admin. */
  "staff-without-role",
  /** The ISV's back end does not hold Connections.Read. */
  "back-end-without-role",
  /** CrossTenantInformation.ReadBasic.All is on the registration but not granted in the home tenant. */
  "graph-permission-not-granted",
  /** Dynamics CRM user_impersonation (Global Discovery, one-click setup) is on the registration but not granted in the home tenant. */
  "global-discovery-not-granted",
  /** The certificate the portal is configured with is not one of the registration's. */
  "certificate-unknown",
  /** The configured client secret has expired on the registration. */
  "secret-expired",
  /** The portal may not read its own role assignments and grants (no Application.Read.All / Directory.Read.All in the home tenant). */
  "directory-read-missing",
] as const;
export type BrokenRegistration = (typeof BROKEN_REGISTRATIONS)[number];

/** The portal's callbacks a registration must list for a portal served at `portalUrl`. */
export function portalRedirectUris(portalUrl: string): string[] {
  return ["/api/auth/callback/microsoft-entra-id", "/consent/callback", "/onboarding/delegated/callback"].map(
    (p) => `${portalUrl}${p}`,
  );
}

export function registrationScenario(
  kind: "correct" | BrokenRegistration,
  options: { portalUrl: string; credentials?: AppCredentials },
): Scenario {
  const s = demoScenario({
    ...(options.credentials ? { credentials: options.credentials } : {}),
    extraRedirectUris: portalRedirectUris(options.portalUrl),
  });
  const home = s.tenants.find((t) => t.id === s.app.homeTenantId)!;
  switch (kind) {
    case "correct":
      break;
    case "redirect-uri-missing":
      s.app.redirectUris = s.app.redirectUris.filter((u) => !u.endsWith("/consent/callback"));
      break;
    case "single-tenant":
      s.app.multiTenant = false;
      break;
    case "app-role-missing":
      s.app.appRoles = s.app.appRoles.filter((r) => r.value !== SUPPORT_OPERATOR);
      for (const user of home.users) user.appRoles = user.appRoles.filter((r) => r !== SUPPORT_OPERATOR);
      break;
    case "staff-without-role":
      for (const user of home.users) user.appRoles = [];
      break;
    case "back-end-without-role":
      for (const client of s.clientApps)
        if (client.clientId === DEMO_IDS.clientApps.backEnd) client.grantedAppRoles = [];
      break;
    case "graph-permission-not-granted":
      home.notGrantedPermissions = ["CrossTenantInformation.ReadBasic.All"];
      break;
    case "global-discovery-not-granted":
      s.app.requiredPermissions.push({
        resource: "Dynamics CRM",
        permission: "user_impersonation",
        description: "Access Common Data Service as organization users",
        adminOnly: false,
      });
      // The ISV's own tenant has Dataverse (Dynamics CRM's service principal exists), but nobody granted it.
      home.hasDataverse = true;
      home.notGrantedPermissions = ["user_impersonation"];
      break;
    case "certificate-unknown":
      s.app.certificates = [];
      break;
    case "secret-expired":
      for (const secret of s.app.secrets) secret.expiresAt = new Date(Date.now() - 24 * 3600_000).toISOString();
      break;
    case "directory-read-missing":
      home.graphAppRoleAssignments = [];
      break;
  }
  return parseScenario(s);
}
