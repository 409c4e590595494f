/** The ISV app's federated identity credentials as the token endpoint checks them (federated.ts). */
import type { EmulatorContext } from "../context";
import type { FederatedContext } from "./federated";

export function federatedContext(ctx: EmulatorContext): FederatedContext {
  const { scenario, authority } = ctx.state;
  return {
    credentials: scenario.app.federatedIdentityCredentials,
    authority,
    managedIdentities: scenario.managedIdentities,
    settings: scenario.settings,
    // Signature only: the time range is checked apart, with Entra's own error (AADSTS700024).
    verifySignature: (token) => ctx.signer.verify(token, 100 * 365 * 24 * 3600),
  };
}
