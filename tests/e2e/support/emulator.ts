// The Microsoft emulator as the e2e suite sees it: its loopback admin API (to stage faults mid-test) and
// its sign-in pages (driven like a person would, by the accessible names of their buttons).
import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { scenario, type CustomerSpec } from "@tenant-onboarding/emulator";
import { e2e } from "./env";

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${e2e.emulatorURL}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator ${method} ${path} → ${response.status}: ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

export const emulator = {
  reset: () => call("POST", "/reset"),
  action: (name: string, args: Record<string, unknown> = {}) => call("POST", `/actions/${name}`, args),
  requests: (kind?: string) =>
    call("GET", `/requests${kind ? `?kind=${encodeURIComponent(kind)}` : ""}`) as Promise<
      Array<Record<string, unknown>>
    >,
  clearRequests: () => call("DELETE", "/requests"),
  environmentUrl: (org: string, region: string) => `https://${org}.${region}.dynamics.localhost:${e2e.emulatorPort}`,
  /** A client app's secret (the callers of the portal's API, emulator/demo-scenario.ts). */
  clientAppSecret: async (clientId: string) => {
    const { scenario } = (await call("GET", "/state")) as {
      scenario: { clientApps: Array<{ clientId: string; secrets: Array<{ value: string }> }> };
    };
    const secret = scenario.clientApps.find((c) => c.clientId === clientId)?.secrets[0]?.value;
    if (!secret) throw new Error(`no client app ${clientId} in the emulator`);
    return secret;
  },
};

/** On the emulator's account picker, chooses the account with this UPN. */
export async function pickAccount(page: Page, upn: string) {
  await page.getByRole("button", { name: new RegExp(`^Sign in as .* \\(${upn.replace(/[.]/g, "\\.")}\\)`) }).click();
}

/** Signs in to the portal from its sign-in page as `upn`, accepting the emulator's consent screen if shown. */
export async function signInAs(page: Page, upn: string, returnTo = "/onboarding") {
  await page.goto(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(page, upn);
  const accept = page.getByRole("button", { name: "Accept" });
  // First sign-in of a user asks for consent to the sign-in scopes; later ones do not.
  await page
    .waitForURL((url) => url.port === String(e2e.port) || url.pathname.includes("consent"), { timeout: 15_000 })
    .catch(() => undefined);
  if (await accept.isVisible().catch(() => false)) await accept.click();
  await page.waitForURL((url) => url.port === String(e2e.port), { timeout: 15_000 });
  await expect(page).not.toHaveURL(/\/signin(\?|$)/);
}

type ScenarioJson = { tenants: Array<{ id: string }>; environments: Array<{ name: string; tenantId: string }> };

export type StagedCustomer = {
  tenantId: string;
  domain: string;
  admin: string;
  user: string;
  environmentUrl(name: string): string;
  environmentName(name: string): string;
};

/**
 * Adds a brand-new customer tenant (and its environments) to the running emulator, so a test starts from a
 * tenant the portal has never seen — whatever earlier tests did. One line stages any failure mode:
 *   stageCustomer({ name: "Disabled", environments: [{ name: "prod", appUser: "disabled" }] })
 */
export async function stageCustomer(spec: Omit<CustomerSpec, "id" | "domain">): Promise<StagedCustomer> {
  const tenantId = randomUUID();
  const slug = `t${tenantId.slice(0, 8)}`;
  const domain = `${slug}.onmicrosoft.com`;
  const environmentName = (name: string) => `${slug}-${name}`;
  const built = scenario({
    customers: [
      {
        ...spec,
        id: tenantId,
        domain,
        environments: spec.environments?.map((e) => ({ ...e, name: environmentName(e.name) })),
      },
    ],
  }) as unknown as ScenarioJson;
  const current = ((await call("GET", "/state")) as { scenario: ScenarioJson }).scenario;
  current.tenants.push(...built.tenants.filter((t) => t.id === tenantId));
  current.environments.push(...built.environments.filter((e) => e.tenantId === tenantId));
  await call("PUT", "/scenario", current);
  const regions = new Map((spec.environments ?? []).map((e) => [e.name, e.region ?? "crm"]));
  return {
    tenantId,
    domain,
    admin: `admin@${domain}`,
    user: `user@${domain}`,
    environmentName,
    environmentUrl: (name) => emulator.environmentUrl(environmentName(name), regions.get(name) ?? "crm"),
  };
}

/** "Grant admin consent" from the portal, through Microsoft's account picker (if shown) up to its consent screen. */
export async function grantAdminConsent(page: Page, upn: string) {
  await page.goto("/onboarding/consent");
  await page.getByRole("button", { name: /Grant admin consent/ }).click();
  const picker = page.getByRole("button", { name: new RegExp(`\\(${upn.replace(/\./g, "\\.")}\\)`) });
  const accept = page.getByRole("button", { name: "Accept" });
  await expect(picker.or(accept)).toBeVisible();
  if (await picker.isVisible()) await pickAccount(page, upn);
}

/** Starts a consent round trip from the portal and returns the `state` it sent to Microsoft (the page stays there). */
export async function startConsentRoundTrip(page: Page): Promise<string> {
  await page.goto("/onboarding/consent");
  await page.getByRole("button", { name: "Grant admin consent" }).click();
  await page.waitForURL(/adminconsent/);
  const state = new URL(page.url()).searchParams.get("state") ?? "";
  expect(state).not.toBe("");
  return state;
}
