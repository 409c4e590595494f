// HEAD on the admin-consent redirect URI changes nothing: the state a HEAD carried is still redeemable by the
// browser's real GET, which then completes the consent.
import { expect, test } from "@playwright/test";
import { emulator, signInAs, stageCustomer, startConsentRoundTrip } from "./support/emulator";

test.beforeEach(async () => {
  await emulator.reset();
});

test("HEAD on /consent/callback leaves the state unredeemed and records nothing", async ({ page }) => {
  const customer = await stageCustomer({ name: "HeadFirst", consented: false });
  await signInAs(page, customer.admin);
  const state = await startConsentRoundTrip(page);

  // The same request Microsoft's redirect would make, as HEAD, with the session's cookies — twice.
  for (let i = 0; i < 2; i++) {
    const head = await page.request.head(
      `/consent/callback?admin_consent=True&tenant=${customer.tenantId}&state=${encodeURIComponent(state)}`,
      { maxRedirects: 0 },
    );
    expect(head.status()).toBe(200);
    expect(head.headers()["location"]).toBeUndefined();
  }
  await page.goto("/onboarding");
  await expect(page.getByTestId("consent-state")).toHaveText("Not granted yet");

  // The real GET still redeems the state and consent completes.
  const callback = await page.request.get(
    `/consent/callback?admin_consent=True&tenant=${customer.tenantId}&state=${encodeURIComponent(state)}`,
    { maxRedirects: 0 },
  );
  expect(callback.status()).toBe(303);
  expect(callback.headers()["location"]).toMatch(/\/onboarding\/consent\/verify$/);
  // Used once: a replay is refused.
  const replay = await page.request.get(
    `/consent/callback?admin_consent=True&tenant=${customer.tenantId}&state=${encodeURIComponent(state)}`,
    { maxRedirects: 0 },
  );
  expect(replay.status()).toBe(400);
});
