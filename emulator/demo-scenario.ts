/**
 * The built-in demo scenario (README: "Demo scenario"). The ISV Northwind Traders registered the
 * multi-tenant app "Northwind Sync"; customers are at different onboarding stages:
 *
 * - Contoso: environment `contoso` (crm, NAM); NOT consented yet; neither the application user nor the
 *   integration role exists yet (one-click setup creates both); Alex Wilber administers apps but is only a Basic
 *   User in the environment.
 * - Fabrikam: environment `fabrikam` (crm4, EUR); consented; application user with the custom role.
 * - Adventure Works: `adventureworks` (crm11, GBR) has an application user WITHOUT a role (the classic
 *   missing-privilege 403), `adventureworks-dev` (crm, NAM) has none yet; consented.
 * - Tailspin Toys: no Dataverse at all (500011).
 * - Personal account alex@outlook.com (tenant 9188040d-…).
 */
import type { AppCredentials } from "./credentials";
import { CONNECTIONS_READ, DEMO_IDS } from "./demo-ids";
import { DirectoryRole, MEMBER_USER_ROLE } from "./directory-roles";
import type { Scenario } from "./scenario";
import { scenario } from "./scenario-builders";

export { DEMO_IDS };

export interface DemoScenarioOptions {
  /** The app's secret and certificate. Default: generated once per process (the CLI passes persisted ones). */
  credentials?: AppCredentials;
  /** Extra redirect URIs registered on the app (e.g. the portal's callback on another port). */
  extraRedirectUris?: string[];
}

export function demoScenario(options: DemoScenarioOptions = {}): Scenario {
  const built = scenario({
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The ISV's administrator let the portal read its own registration and grants (what `npm run doctor` reads:
    // docs/protocol/graph.md G-32), assigned in the home tenant only, never asked of customers.
    home: { graphAppRoleAssignments: ["Application.Read.All", "Directory.Read.All"] },
    // Callers of the portal's API (/api/v1): the ISV's back end with the role, an app without it, and an app of
    // another tenant (Fabrikam) that was granted the role there — its tokens are Fabrikam's, not the ISV's.
    clientApps: [
      { name: "Northwind Sync Back End", clientId: DEMO_IDS.clientApps.backEnd, roles: [CONNECTIONS_READ] },
      { name: "Northwind Reporting", clientId: DEMO_IDS.clientApps.noRole },
      {
        name: "Fabrikam Integration",
        clientId: DEMO_IDS.clientApps.foreign,
        homeTenantId: DEMO_IDS.tenants.fabrikam,
        roles: [CONNECTIONS_READ],
      },
    ],
    customers: [
      {
        name: "Contoso",
        organizationName: "Contoso Ltd",
        id: DEMO_IDS.tenants.contoso,
        domain: "contoso.onmicrosoft.com",
        consented: false,
        users: [
          { name: "Megan Bowen", upn: "megan", admin: true },
          { name: "Lee Gu", upn: "lee" },
          // Administers apps in Entra ID but is only a Basic User in the environment: one-click setup explains why not.
          { name: "Alex Wilber", upn: "alex", wids: [DirectoryRole.ApplicationAdministrator, MEMBER_USER_ROLE] },
        ],
        // Nothing created yet: neither the application user nor the integration role.
        environments: [
          {
            name: "contoso",
            region: "crm",
            friendlyName: "Contoso (Production)",
            appUser: "none",
            integrationRole: "absent",
          },
        ],
      },
      {
        name: "Fabrikam",
        organizationName: "Fabrikam, Inc.",
        id: DEMO_IDS.tenants.fabrikam,
        domain: "fabrikam.onmicrosoft.com",
        consented: true,
        users: [
          { name: "Diego Siciliani", upn: "diego", admin: true },
          { name: "Pradeep Gupta", upn: "pradeep" },
        ],
        environments: [{ name: "fabrikam", region: "crm4", friendlyName: "Fabrikam (Production)", appUser: "enabled" }],
      },
      {
        name: "Adventure Works",
        organizationName: "Adventure Works Cycles",
        id: DEMO_IDS.tenants.adventureWorks,
        domain: "adventureworks.onmicrosoft.com",
        consented: true,
        users: [
          { name: "Adele Vance", upn: "adele", admin: true },
          { name: "Johanna Lorenz", upn: "johanna" },
        ],
        environments: [
          { name: "adventureworks", region: "crm11", friendlyName: "Adventure Works (Production)", appUser: "no-role" },
          {
            name: "adventureworks-dev",
            region: "crm",
            friendlyName: "Adventure Works (Dev)",
            purpose: "Sandbox",
            appUser: "none",
          },
        ],
      },
      {
        name: "Tailspin Toys",
        organizationName: "Tailspin Toys Ltd",
        id: DEMO_IDS.tenants.tailspin,
        domain: "tailspintoys.onmicrosoft.com",
        consented: false,
        hasDataverse: false,
        users: [
          { name: "Isaiah Langer", upn: "isaiah", admin: true },
          { name: "Nestor Wilke", upn: "nestor" },
        ],
        environments: [],
      },
    ],
  });
  if (options.extraRedirectUris?.length) {
    built.app.redirectUris = [...new Set([...built.app.redirectUris, ...options.extraRedirectUris])];
  }
  return built;
}
