import "server-only";

// The doctor's judgement of the app registration as Graph shows it (lib/entra/registration.ts), against what this
// portal's configuration needs. Pure: every rule is a function of the Graph objects and the expectations, so a unit
// test or an emulator scenario reaches each one. The facts behind each rule: docs/protocol/graph.md.
import { createHash } from "node:crypto";
import { problem, ok, type Finding } from "@/lib/doctor/findings";
import {
  DYNAMICS_CRM_APP_ID,
  MICROSOFT_GRAPH_APP_ID,
  type GraphAppRoleAssignment,
  type GraphServicePrincipal,
  type RegistrationView,
} from "@/lib/entra/registration";

/** next-auth's callback for the `microsoft-entra-id` provider (lib/auth/next-auth.ts). */
export const SIGN_IN_CALLBACK_PATH = "/api/auth/callback/microsoft-entra-id";
export const CROSS_TENANT_INFORMATION = "CrossTenantInformation.ReadBasic.All";
/** The Graph application permissions the doctor reads the registration with (G-32), and their published ids. */
export const READ_PERMISSIONS = {
  "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
  "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
} as const;

export type RegistrationExpectations = {
  clientId: string;
  homeTenantId: string;
  tenancy: "multi" | "single";
  /** AUTH_URL: the redirect URIs are built from it. */
  portalUrl: string;
  consentCallbackPath: string;
  delegatedCallbackPath: string;
  consentAppRole: string;
  supportOperatorRole: string;
  supportAdminRole: string;
  apiRole: string;
  /** GRAPH_URL is configured: organisation names need CrossTenantInformation.ReadBasic.All. */
  organisationNames: boolean;
  /** The configured certificate (hex SHA-1 thumbprint of its DER) and secrets (their first three characters, as Graph's `hint`). */
  certificateSha1: string | null;
  secrets: Array<{ slot: string; hint: string }>;
  now: Date;
};

const PORTAL = "Microsoft Entra admin center → App registrations → the portal's app";
const DAY = 24 * 60 * 60 * 1000;

function readFailure(read: { status: number | null; code: string | null; message: string }): string {
  return `Graph answered ${read.status ?? "nothing"}${read.code ? ` ${read.code}` : ""}: ${read.message}`;
}

export function judgeRegistration(view: RegistrationView, x: RegistrationExpectations): Finding[] {
  const findings: Finding[] = [];
  const app = view.application;
  if (!app.ok) {
    findings.push(
      problem(
        "error",
        "registration.read",
        "App registration",
        `could not read the application ${x.clientId} in the home tenant (${readFailure(app)})`,
        "Without it nothing else of the registration can be checked; a 404 means ENTRA_CLIENT_ID is not an app registered in ENTRA_HOME_TENANT_ID.",
        `Check ENTRA_CLIENT_ID (the Application (client) ID, not the Object ID) and ENTRA_HOME_TENANT_ID on ${PORTAL} → Overview; \`az ad app show --id ${x.clientId}\` shows it when both are right.`,
      ),
    );
    return findings;
  }
  const a = app.value;
  findings.push(ok("registration.read", "App registration", `${a.displayName ?? a.appId} read from Microsoft Graph`));

  // Who may sign in (G-11).
  const audienceOk =
    x.tenancy === "multi"
      ? a.signInAudience === "AzureADMultipleOrgs"
      : a.signInAudience === "AzureADMyOrg" || a.signInAudience === "AzureADMultipleOrgs";
  findings.push(
    audienceOk
      ? ok("registration.audience", "Sign-in audience", `${a.signInAudience}`)
      : problem(
          "error",
          "registration.audience",
          "Sign-in audience",
          `is ${a.signInAudience}; TENANCY_MODE=${x.tenancy} needs ${x.tenancy === "multi" ? "AzureADMultipleOrgs (accounts in any organizational directory)" : "AzureADMyOrg"}`,
          x.tenancy === "multi"
            ? a.signInAudience === "AzureADMyOrg"
              ? "Customers' administrators cannot sign in or consent: Entra answers AADSTS700016 (the app is not found in their directory)."
              : "Personal Microsoft accounts would be offered a sign-in the portal then refuses."
            : "Only the home tenant's people may use a single-tenant portal.",
          `${PORTAL} → Authentication → Supported account types → "${x.tenancy === "multi" ? "Accounts in any organizational directory" : "Accounts in this organizational directory only"}", or \`az ad app update --id ${x.clientId} --sign-in-audience ${x.tenancy === "multi" ? "AzureADMultipleOrgs" : "AzureADMyOrg"}\``,
        ),
  );

  // Redirect URIs: exact, case-sensitive, on the web platform (G-12, G-35, G-36).
  const web = a.web?.redirectUris ?? [];
  const spa = a.spa?.redirectUris ?? [];
  const required = [
    SIGN_IN_CALLBACK_PATH,
    ...(x.tenancy === "multi" ? [x.consentCallbackPath] : []),
    x.delegatedCallbackPath,
  ].map((p) => `${x.portalUrl}${p}`);
  const missing = required.filter((u) => !web.includes(u));
  const insecure =
    new URL(x.portalUrl).protocol === "http:" && !["localhost", "127.0.0.1"].includes(new URL(x.portalUrl).hostname);
  if (missing.length === 0 && !insecure)
    findings.push(
      ok(
        "registration.redirect-uris",
        "Redirect URIs",
        `${required.length} callbacks of ${x.portalUrl} registered on the Web platform`,
      ),
    );
  else {
    const onSpa = missing.filter((u) => spa.includes(u));
    findings.push(
      problem(
        "error",
        "registration.redirect-uris",
        "Redirect URIs",
        insecure
          ? `AUTH_URL ${x.portalUrl} is http: Microsoft accepts http redirect URIs for localhost only`
          : `missing from the Web platform: ${missing.join(", ")}${onSpa.length ? ` (${onSpa.join(", ")} is registered as a single-page application, whose codes a server cannot redeem: AADSTS9002327)` : ""}`,
        "Entra refuses to send the administrator back to a URI it does not know (AADSTS50011): sign-in, admin consent or the environment picker stops at Microsoft's error page.",
        insecure
          ? "Serve the portal over https and set AUTH_URL to its https address."
          : `${PORTAL} → Authentication → Web → Add URI: ${missing.join(" and ")}${onSpa.length ? " (and remove it from Single-page application)" : ""}; or \`az ad app update --id ${x.clientId} --web-redirect-uris ${[...new Set([...web, ...missing])].join(" ")}\` (the list replaces the registered one).`,
      ),
    );
  }

  // App roles the portal checks for (G-13).
  const roles: Array<{ value: string; memberType: "User" | "Application"; purpose: string }> = [
    ...(x.tenancy === "multi"
      ? [
          {
            value: x.consentAppRole,
            memberType: "Application" as const,
            purpose: "proves an administrator's consent in each customer tenant",
          },
        ]
      : []),
    { value: x.supportOperatorRole, memberType: "User", purpose: "opens the support console" },
    { value: x.supportAdminRole, memberType: "User", purpose: "allows the console's destructive actions" },
    { value: x.apiRole, memberType: "Application", purpose: "lets the ISV back end call /api/v1" },
  ];
  const roleProblems: string[] = [];
  for (const role of roles) {
    const found = a.appRoles.find((r) => r.value === role.value);
    if (!found) roleProblems.push(`${role.value} is not defined (it ${role.purpose})`);
    else if (!found.isEnabled) roleProblems.push(`${role.value} is disabled`);
    else if (!found.allowedMemberTypes.includes(role.memberType))
      roleProblems.push(`${role.value} does not allow ${role.memberType === "User" ? "Users/Groups" : "Applications"}`);
  }
  findings.push(
    roleProblems.length === 0
      ? ok("registration.app-roles", "App roles", roles.map((r) => r.value).join(", "))
      : problem(
          "error",
          "registration.app-roles",
          "App roles",
          roleProblems.join("; "),
          "A role the registration does not define is never in a token: the check it gates fails for everyone (consent never proven, staff refused at the console, the back end's calls refused with 403).",
          `${PORTAL} → App roles → Create app role, for each: ${roles.map((r) => `value ${r.value}, allowed member types ${r.memberType === "User" ? "Users/Groups" : "Applications"}`).join("; ")}; enabled.`,
        ),
  );

  // The registration's static permissions (G-14) and whether the home tenant granted them (G-30, G-31).
  const resource = (appId: string): GraphServicePrincipal | null => {
    const read = view.resources.get(appId.toLowerCase());
    return read?.ok ? read.value : null;
  };
  type Listed = { resourceAppId: string; resourceName: string; id: string; type: string; value: string | null };
  const listed: Listed[] = a.requiredResourceAccess.flatMap((r) =>
    r.resourceAccess.map((p) => {
      const sp = resource(r.resourceAppId);
      const value = sp
        ? p.type === "Role"
          ? sp.appRoles.find((ar) => ar.id === p.id)?.value
          : sp.oauth2PermissionScopes.find((s) => s.id === p.id)?.value
        : undefined;
      return {
        resourceAppId: r.resourceAppId.toLowerCase(),
        resourceName: sp?.displayName ?? r.resourceAppId,
        id: p.id,
        type: p.type,
        value: value ?? null,
      };
    }),
  );
  const has = (appId: string, value: string, type: string) =>
    listed.some((p) => p.resourceAppId === appId.toLowerCase() && p.value === value && p.type === type);
  const permissionProblems: string[] = [];
  const permissionWarnings: string[] = [];
  if (x.tenancy === "multi" && !has(x.clientId, x.consentAppRole, "Role"))
    permissionProblems.push(
      `${x.consentAppRole} (an application permission of the app itself) is not among its API permissions, so no administrator's consent grants it`,
    );
  if (x.organisationNames && !has(MICROSOFT_GRAPH_APP_ID, CROSS_TENANT_INFORMATION, "Role"))
    permissionProblems.push(
      `Microsoft Graph ${CROSS_TENANT_INFORMATION} (application) is missing: customers' organisation names cannot be read`,
    );
  // Every API asked of must exist in the tenant, or consent there fails (G-27).
  for (const appId of new Set(listed.map((l) => l.resourceAppId))) {
    const read = view.resources.get(appId);
    if (read && !read.ok && read.status === 404)
      permissionProblems.push(
        `the API ${appId} has no service principal in your tenant, so consent to the app fails there`,
      );
  }
  for (const p of listed.filter((l) => l.value === null && resource(l.resourceAppId)))
    permissionProblems.push(
      `${p.resourceName} has no ${p.type === "Role" ? "application" : "delegated"} permission with id ${p.id}`,
    );
  if (listed.some((p) => p.resourceAppId === DYNAMICS_CRM_APP_ID)) {
    permissionWarnings.push(
      "Dynamics CRM is a static permission: admin consent fails in customer tenants without Dataverse (the portal asks for user_impersonation at run time instead)",
    );
  }
  for (const name of Object.keys(READ_PERMISSIONS))
    if (has(MICROSOFT_GRAPH_APP_ID, name, "Role"))
      permissionWarnings.push(
        `Microsoft Graph ${name} is a static permission: every customer's administrator is asked to grant it on their directory`,
      );
  if (permissionProblems.length) {
    findings.push(
      problem(
        "error",
        "registration.permissions",
        "API permissions",
        permissionProblems.join("; "),
        "Admin consent grants exactly the registration's API permissions; what is missing there is missing in every tenant.",
        `${PORTAL} → API permissions → Add a permission: ${[x.tenancy === "multi" && !has(x.clientId, x.consentAppRole, "Role") ? `My APIs → the portal's app → Application permissions → ${x.consentAppRole}` : null, x.organisationNames && !has(MICROSOFT_GRAPH_APP_ID, CROSS_TENANT_INFORMATION, "Role") ? `Microsoft Graph → Application permissions → ${CROSS_TENANT_INFORMATION} (\`az ad app permission add --id ${x.clientId} --api ${MICROSOFT_GRAPH_APP_ID} --api-permissions cac88765-0581-4025-9725-5ebc13f729ee=Role\`)` : null].filter(Boolean).join("; ") || "remove the permissions whose id the API does not know and add them again"}; then grant admin consent for your tenant.`,
      ),
    );
  } else if (permissionWarnings.length) {
    findings.push(
      problem(
        "warning",
        "registration.permissions",
        "API permissions",
        permissionWarnings.join("; "),
        "Static permissions are what every customer's administrator consents to.",
        `${PORTAL} → API permissions → remove them (request them where needed instead; grant the doctor's read permissions in your own tenant only, see registration.read-permissions).`,
      ),
    );
  } else {
    findings.push(
      ok(
        "registration.permissions",
        "API permissions",
        listed
          .map((p) => `${p.resourceName} ${p.value ?? p.id} (${p.type === "Role" ? "application" : "delegated"})`)
          .join(", ") || "none",
      ),
    );
  }

  // The doctor's own reads (G-32): who holds the roles and what was granted.
  const refused = [view.roleHolders, view.appPermissions, view.delegatedGrants].filter(
    (r) => r && !r.ok && (r.status === 403 || r.status === 401),
  );
  const graphSp = resource(MICROSOFT_GRAPH_APP_ID);
  const portalSp = view.servicePrincipal.ok ? view.servicePrincipal.value : null;
  if (refused.length) {
    const grant = (name: keyof typeof READ_PERMISSIONS) =>
      `az rest --method POST --uri https://graph.microsoft.com/v1.0/servicePrincipals/${portalSp?.id ?? "<service principal id>"}/appRoleAssignments --body '{"principalId":"${portalSp?.id ?? "<service principal id>"}","resourceId":"${graphSp?.id ?? "<Microsoft Graph service principal id>"}","appRoleId":"${READ_PERMISSIONS[name]}"}'`;
    findings.push(
      problem(
        "error",
        "registration.read-permissions",
        "Reading the registration's grants",
        `Graph refused to show who holds the app's roles and what it was granted (${refused.map((r) => (r && !r.ok ? `${r.status} ${r.code ?? ""}`.trim() : "")).join(", ")}): the portal's identity lacks Application.Read.All and Directory.Read.All in the home tenant`,
        "Without them the doctor cannot prove that staff and the back end hold their roles or that admin consent was granted in your tenant.",
        `Assign both to the portal's service principal in your tenant only (not as API permissions, which customers would be asked for): \`${grant("Application.Read.All")}\` and \`${grant("Directory.Read.All")}\` (az uses your own admin sign-in; or Entra admin center → Enterprise applications → the portal's app → Permissions).`,
      ),
    );
  }

  if (view.roleHolders?.ok)
    findings.push(...judgeRoleHolders(view.roleHolders.value, a.appRoles, x, portalSp?.id ?? null));
  if (view.appPermissions?.ok && view.delegatedGrants?.ok) {
    const granted = view.appPermissions.value;
    const grants = view.delegatedGrants.value.filter((g) => g.consentType === "AllPrincipals");
    const notGranted = listed.filter((p) => {
      const sp = resource(p.resourceAppId);
      if (!sp || p.value === null) return false;
      if (p.type === "Role") return !granted.some((g) => g.resourceId === sp.id && g.appRoleId === p.id);
      return !grants.some((g) => g.resourceId === sp.id && (g.scope ?? "").split(" ").includes(p.value!));
    });
    findings.push(
      notGranted.length === 0
        ? ok(
            "registration.home-consent",
            "Admin consent in the home tenant",
            `every API permission granted (${listed.length})`,
          )
        : problem(
            "error",
            "registration.home-consent",
            "Admin consent in the home tenant",
            `not granted: ${notGranted.map((p) => `${p.resourceName} ${p.value} (${p.type === "Role" ? "application" : "delegated"})`).join(", ")}`,
            notGranted.some((p) => p.value === CROSS_TENANT_INFORMATION)
              ? "Graph refuses the portal's app-only calls from your tenant: customers' organisation names stay their domains."
              : notGranted.some((p) => p.resourceAppId === DYNAMICS_CRM_APP_ID)
                ? "Global Discovery and one-click setup ask your own administrators to consent again, and are refused where users may not consent."
                : "What the registration asks for but your tenant did not grant is not in the portal's tokens there.",
            `${PORTAL} → API permissions → "Grant admin consent for your tenant" (a Global Administrator or Privileged Role Administrator for Microsoft Graph's application permissions), or \`az ad app permission admin-consent --id ${x.clientId}\`.`,
          ),
    );
  }

  findings.push(...judgeCredentials(a, x));
  return findings;
}

function judgeRoleHolders(
  assignments: GraphAppRoleAssignment[],
  appRoles: Array<{ id: string; value: string | null }>,
  x: RegistrationExpectations,
  portalSpId: string | null,
): Finding[] {
  const idOf = (value: string) => appRoles.find((r) => r.value === value)?.id;
  const holders = (value: string, types: string[]) =>
    assignments.filter(
      (a) => a.appRoleId === idOf(value) && types.includes(a.principalType ?? "") && a.principalId !== portalSpId,
    );
  const staff = [
    ...holders(x.supportOperatorRole, ["User", "Group"]),
    ...holders(x.supportAdminRole, ["User", "Group"]),
  ];
  const admins = holders(x.supportAdminRole, ["User", "Group"]);
  const backEnds = holders(x.apiRole, ["ServicePrincipal"]);
  const findings: Finding[] = [];
  const assignFix = (role: string, who: string) =>
    `Entra admin center → Enterprise applications → the portal's app → Users and groups → Add user/group → ${who} → role ${role}`;
  if (staff.length === 0) {
    findings.push(
      problem(
        "error",
        "registration.staff-roles",
        "Support staff",
        `nobody holds ${x.supportOperatorRole} or ${x.supportAdminRole}`,
        "The support console refuses everyone: staff of your tenant who sign in are sent away.",
        assignFix(x.supportOperatorRole, "your support team (a group is best)"),
      ),
    );
  } else if (admins.length === 0) {
    findings.push(
      problem(
        "warning",
        "registration.staff-roles",
        "Support staff",
        `${new Set(staff.map((s) => s.principalDisplayName)).size} hold a support role, nobody holds ${x.supportAdminRole}`,
        "Disconnecting or resetting a tenant needs the admin role.",
        assignFix(x.supportAdminRole, "the people allowed destructive actions"),
      ),
    );
  } else {
    findings.push(
      ok(
        "registration.staff-roles",
        "Support staff",
        [...new Set(staff.map((s) => s.principalDisplayName ?? s.principalId))].join(", "),
      ),
    );
  }
  findings.push(
    backEnds.length
      ? ok(
          "registration.api-role",
          "Back end's role",
          `${x.apiRole} held by ${backEnds.map((b) => b.principalDisplayName ?? b.principalId).join(", ")}`,
        )
      : problem(
          "error",
          "registration.api-role",
          "Back end's role",
          `no application holds ${x.apiRole}`,
          "Your back end's calls to /api/v1 are refused with 403 insufficient_scope.",
          `Entra admin center → App registrations → your back end's app → API permissions → Add a permission → My APIs → the portal's app → Application permissions → ${x.apiRole} → Grant admin consent (or \`az ad app permission add --id <back end's client id> --api ${x.clientId} --api-permissions ${idOf(x.apiRole) ?? "<role id>"}=Role\` then \`az ad app permission admin-consent --id <back end's client id>\`).`,
        ),
  );
  return findings;
}

/** The configured credentials as the registration knows them (G-17, G-18): present, and how long they last. */
function judgeCredentials(
  a: {
    keyCredentials: Array<{
      customKeyIdentifier: string | null;
      key?: string | null;
      endDateTime: string | null;
      displayName: string | null;
    }>;
    passwordCredentials: Array<{ hint: string | null; endDateTime: string | null }>;
  },
  x: RegistrationExpectations,
): Finding[] {
  const findings: Finding[] = [];
  const lasts = (end: string | null): { days: number | null; text: string } => {
    if (!end) return { days: null, text: "no end date" };
    const days = Math.floor((Date.parse(end) - x.now.getTime()) / DAY);
    return {
      days,
      text: days < 0 ? `expired on ${end.slice(0, 10)}` : `expires on ${end.slice(0, 10)} (in ${days} days)`,
    };
  };
  const expiryFinding = (id: string, title: string, end: string | null, renew: string) => {
    const { days, text } = lasts(end);
    if (days !== null && days < 0)
      return problem(
        "error",
        id,
        title,
        text,
        "Entra refuses it (AADSTS7000222 for a secret): every token request with it fails.",
        renew,
      );
    if (days !== null && days < 30)
      return problem(
        "warning",
        id,
        title,
        text,
        'When it expires every token request with it fails; deploy its replacement as the second credential first (README, "Rotating the app\'s credential").',
        renew,
      );
    return ok(id, title, text);
  };
  if (x.certificateSha1) {
    const thumbprint = x.certificateSha1.toUpperCase();
    const known = a.keyCredentials.find((k) => {
      if (k.key)
        return createHash("sha1").update(Buffer.from(k.key, "base64")).digest("hex").toUpperCase() === thumbprint;
      const id = k.customKeyIdentifier ?? "";
      return id.toUpperCase() === thumbprint || Buffer.from(id, "base64").toString("hex").toUpperCase() === thumbprint;
    });
    findings.push(
      known
        ? expiryFinding(
            "registration.certificate",
            "Certificate on the registration",
            known.endDateTime,
            `Upload a new certificate: \`az ad app credential reset --id ${x.clientId} --cert @new-cert.pem --append\`, deploy it, then remove the old one.`,
          )
        : problem(
            "error",
            "registration.certificate",
            "Certificate on the registration",
            `the certificate of ENTRA_CLIENT_CERTIFICATE_PATH (SHA-1 ${thumbprint}) is not one of the registration's ${a.keyCredentials.length} certificates`,
            "Entra refuses assertions signed with a certificate it does not know (AADSTS700027): every token request with it fails.",
            `Upload it: \`az ad app credential reset --id ${x.clientId} --cert @<ENTRA_CLIENT_CERTIFICATE_PATH> --append\` (or ${PORTAL} → Certificates & secrets → Certificates → Upload certificate).`,
          ),
    );
  }
  for (const secret of x.secrets) {
    const matches = a.passwordCredentials.filter((p) => p.hint === secret.hint);
    findings.push(
      matches.length === 0
        ? problem(
            "error",
            `registration.secret.${secret.slot}`,
            `${secret.slot} on the registration`,
            `no secret of the registration starts with ${secret.hint}…: it is not one of its ${a.passwordCredentials.length} secrets (was the Secret ID pasted instead of the Value?)`,
            "Entra refuses an unknown secret (AADSTS7000215): every token request with it fails.",
            `Create one: \`az ad app credential reset --id ${x.clientId} --append --display-name portal\` (or ${PORTAL} → Certificates & secrets → New client secret) and set ${secret.slot} to its Value, ${secret.slot}_EXPIRES_AT to its expiry.`,
          )
        : expiryFinding(
            `registration.secret.${secret.slot}`,
            `${secret.slot} on the registration`,
            matches
              .map((m) => m.endDateTime)
              .sort()
              .at(-1) ?? null,
            `Create a new secret (\`az ad app credential reset --id ${x.clientId} --append --display-name portal\`), deploy it as the second secret, then remove the old one.`,
          ),
    );
  }
  return findings;
}
