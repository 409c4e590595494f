// The federated assertion (lib/entra/managed-identity.ts): the managed identity's token for the token exchange is
// fetched once and reused until shortly before it expires — concurrent token requests share one call — and a call
// that fails says which identity gave no token. Against the emulator's managed identity endpoint with short-lived
// tokens (10 s: renewed 1 s before the end), through @azure/identity.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_IDS,
  demoScenario,
  startEmulator,
  testCredentials,
  withSettings,
  type EmulatorHandle,
} from "@tenant-onboarding/emulator";
import { setTestEnv } from "../support/config";

let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startEmulator({
    scenario: withSettings(demoScenario({ credentials: testCredentials() }), {
      managedIdentityTokenLifetimeSeconds: 10,
    }),
  });
  setTestEnv({
    IDENTITY_ENDPOINT: emulator.managedIdentity.endpoint,
    IDENTITY_HEADER: emulator.managedIdentity.header,
    OUTBOUND_TIMEOUT_MS: "5000",
  });
});
afterAll(async () => {
  await emulator?.close();
});

const exchanges = () => emulator.requestLog().filter((e) => e.kind === "identity" && e.status === 200).length;

describe("the federated assertion", () => {
  it("is fetched once for concurrent requests, reused while fresh, and renewed shortly before it expires", async () => {
    const { federatedAssertion } = await import("@/lib/entra/managed-identity");
    const first = await Promise.all(
      [...Array(5).keys()].map(() => federatedAssertion(DEMO_IDS.managedIdentity.clientId)),
    );
    expect(new Set(first).size).toBe(1);
    expect(exchanges()).toBe(1);
    expect(await federatedAssertion(DEMO_IDS.managedIdentity.clientId)).toBe(first[0]);
    expect(exchanges()).toBe(1);
    // 10 s tokens are renewed a tenth of their life before the end.
    await new Promise((r) => setTimeout(r, 9_200));
    const renewed = await federatedAssertion(DEMO_IDS.managedIdentity.clientId);
    expect(renewed).not.toBe(first[0]);
    expect(exchanges()).toBe(2);
  });

  it("names the identity that gave no token, without a token in the message", async () => {
    const { federatedAssertion, AssertionUnavailableError } = await import("@/lib/entra/managed-identity");
    const unknown = "00000000-0000-4000-8000-00000000beef";
    const error = await federatedAssertion(unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssertionUnavailableError);
    expect((error as Error).message).toMatch(
      new RegExp(`^the managed identity ${unknown} gave no token: .*Unable to load the proper Managed Identity\\.`),
    );
  });
});
