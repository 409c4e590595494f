// The Microsoft emulator as the e2e suite sees it: its loopback admin API (to stage faults mid-test) and
// its sign-in pages (driven like a person would, by the accessible names of their buttons).
import { expect, type Page } from "@playwright/test";
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
  requests: (kind?: string) => call("GET", `/requests${kind ? `?kind=${encodeURIComponent(kind)}` : ""}`) as Promise<Array<Record<string, unknown>>>,
  clearRequests: () => call("DELETE", "/requests"),
  environmentUrl: (org: string, region: string) => `https://${org}.${region}.dynamics.localhost:${e2e.emulatorPort}`,
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
  await page.waitForURL((url) => url.port === String(e2e.port) || url.pathname.includes("consent"), { timeout: 15_000 }).catch(() => undefined);
  if (await accept.isVisible().catch(() => false)) await accept.click();
  await page.waitForURL((url) => url.port === String(e2e.port), { timeout: 15_000 });
  await expect(page).not.toHaveURL(/\/signin(\?|$)/);
}
