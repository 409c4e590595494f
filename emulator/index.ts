/**
 * Entra ID (v2.0) + Dataverse Web API emulator: the entry of the `@tenant-onboarding/emulator` package
 * (emulator/package.json "exports"; tests' internals: testing.ts). Scripts and tests import only these two.
 *
 *   const emu = await startEmulator({ scenario: scenario({ customers: [...] }) });
 *   emu.authorityHost            // https://127.0.0.1:PORT
 *   emu.environmentUrl("contoso") // https://contoso.crm.dynamics.localhost:PORT
 *   emu.admin.revokeConsent("Contoso");
 *   await emu.close();
 */
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createAdmin } from "./admin";
import type { EmulatorAdmin } from "./admin";
import type { EmulatorContext } from "./context";
import { demoScenario } from "./demo-scenario";
import {
  certificateDnsNames,
  environmentOrigin,
  globalDiscoveryOrigin,
  graphOrigin,
  marketplaceApiOrigin,
  vaultOrigin,
} from "./hosts";
import { MANAGED_IDENTITY_PATH } from "./managed-identity";
import { defaultStateDir } from "./paths";
import type { RequestLogEntry } from "./request-log";
import { parseScenario } from "./scenario";
import type { Scenario } from "./scenario";
import { createRequestListener } from "./server";
import { TokenSigner } from "./signing";
import { EmulatorState } from "./state";
import { ensureCa, issueServerCertificate, loadCa } from "./tls";
import type { PemKeyPair } from "./tls";

export type { EmulatorAdmin, EmulatorStateSnapshot, AppUserSelector } from "./admin";
export type { RequestLogEntry, RequestKind, ClientAuthMethod } from "./request-log";
export type { Scenario } from "./scenario";
// The one entry for callers outside the emulator (tests, scripts): the scenario schema and its builders.
// scenario.ts (the schema) imports neither the builders nor the demo, so nothing here is a cycle.
export { parseScenario, ScenarioValidationError } from "./scenario";
export { scenario, withFault, withSettings, testCredentials, DEFAULT_OFFER } from "./scenario-builders";
// The commercial marketplace (docs/protocol/marketplace.md): the Marketplace API's resource id and the admin's types.
export { MARKETPLACE_APP_ID } from "./marketplace/schema";
export type { MarketplaceAdmin } from "./marketplace/admin";
export type { NotificationDelivery } from "./marketplace/runtime";
export type {
  ScenarioSpec,
  CustomerSpec,
  EnvironmentSpec,
  UserSpec,
  AppUserSpec,
  FaultSpec,
  AppCredentials,
} from "./scenario-builders";
export { clientAppSecret } from "./scenario-builders";
export { demoScenario, DEMO_IDS } from "./demo-scenario";
// The app registration as `npm run doctor` reads it from Graph: correct, or broken in one way each.
export {
  BROKEN_REGISTRATIONS,
  registrationScenario,
  portalRedirectUris,
  type BrokenRegistration,
} from "./registration-scenarios";
export { CONSUMER_TENANT_ID, DirectoryRole, MEMBER_USER_ROLE } from "./directory-roles";
// The host suffixes of emulated environments: what the portal's DATAVERSE_ALLOWED_HOST_SUFFIXES must allow.
export { EMULATED_DATAVERSE_HOST_SUFFIXES } from "./hosts";
export { loopbackLookup, loopbackAgentOptions } from "./net";

export interface StartEmulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default: the built-in demo scenario. */
  scenario?: Scenario;
  /** CA, signing keys and demo credentials live here. Default `<repo>/.emulator`. */
  stateDir?: string;
  /**
   * How long an idle connection stays open (ms), announced in every answer as `Keep-Alive: timeout=<s>`. Default
   * 5,000 (Node's own). Microsoft does not document the idle timeout of Entra ID's or Dataverse's front ends
   * (docs/protocol/dataverse.md "Connections"). undici keeps a connection for the announced time less 2 s, so 2,000 or
   * less makes every request open a new TLS connection: the strictest case, to test a client against.
   */
  keepAliveTimeoutMs?: number;
}

export interface EmulatorHandle {
  port: number;
  /** https://127.0.0.1:PORT — the authority host (MSAL: knownAuthorities ["127.0.0.1:PORT"]). */
  authorityHost: string;
  caCertPath: string;
  /** The current scenario (changes with admin actions and Dataverse writes). */
  readonly scenario: Scenario;
  /** https://<org>.<region>.dynamics.localhost:PORT (or the `.api.` twin). */
  environmentUrl(envName: string, options?: { api?: boolean }): string;
  /** https://globaldisco.crm.dynamics.localhost:PORT */
  globalDiscoveryUrl: string;
  /** Microsoft Graph's service root in the emulator (https://graph.localhost:PORT). */
  graphUrl: string;
  /** The SaaS Fulfillment API's base (https://marketplaceapi.localhost:PORT/api), as MARKETPLACE_API_URL. */
  marketplaceApiUrl: string;
  /**
   * The host's managed identity endpoint and its shared secret: what App Service puts in IDENTITY_ENDPOINT and
   * IDENTITY_HEADER, where @azure/identity's ManagedIdentityCredential finds them.
   */
  managedIdentity: { endpoint: string; header: string };
  /** https://<vault>.vault.localhost:PORT */
  vaultUrl(vaultName: string): string;
  admin: EmulatorAdmin;
  requestLog(): RequestLogEntry[];
  close(): Promise<void>;
}

/** TLS options with a fresh leaf certificate covering 127.0.0.1, localhost and every environment host. */
function certifiedNames(scenario: Scenario): string[] {
  return certificateDnsNames(
    scenario.environments,
    scenario.keyVaults.map((v) => v.name),
  );
}

function tlsOptions(ca: PemKeyPair, scenario: Scenario): { cert: string; key: string; ca: string } {
  const leaf = issueServerCertificate(ca, { dnsNames: certifiedNames(scenario), ipAddresses: ["127.0.0.1"] });
  return { cert: leaf.certPem, key: leaf.keyPem, ca: ca.certPem };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const caPaths = await ensureCa(stateDir);
  const [ca, signer] = await Promise.all([loadCa(caPaths), TokenSigner.load(stateDir)]);
  const initial = parseScenario(opts.scenario ?? demoScenario());

  const server = createServer(tlsOptions(ca, initial));
  // Idle connections are kept as a real front end keeps them (close() closes them all, so none keeps it waiting).
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 5_000;
  const port = await listen(server, opts.port ?? 0);
  const state = new EmulatorState(initial, port);
  // New environments need new SANs: re-issue the leaf certificate when the scenario is replaced.
  let certifiedHosts = certifiedNames(initial).sort().join(",");
  state.onScenarioReplaced = (scenario) => {
    const hosts = certifiedNames(scenario).sort().join(",");
    if (hosts === certifiedHosts) return;
    certifiedHosts = hosts;
    server.setSecureContext(tlsOptions(ca, scenario));
  };
  const ctx: EmulatorContext = { state, signer };
  const admin = createAdmin(ctx);
  server.on("request", createRequestListener(ctx, admin));

  const authorityHost = `https://127.0.0.1:${port}`;
  return {
    port,
    authorityHost,
    caCertPath: caPaths.caCertPath,
    get scenario() {
      return state.scenario;
    },
    environmentUrl(envName, options = {}) {
      const env = state.environmentByName(envName);
      if (!env)
        throw new Error(
          `Unknown environment '${envName}'. Known: ${state.scenario.environments.map((e) => e.name).join(", ")}`,
        );
      return environmentOrigin(env, port, options.api ?? false);
    },
    globalDiscoveryUrl: globalDiscoveryOrigin(port),
    graphUrl: graphOrigin(port),
    marketplaceApiUrl: `${marketplaceApiOrigin(port)}/api`,
    managedIdentity: { endpoint: `${authorityHost}${MANAGED_IDENTITY_PATH}`, header: state.identityHeader },
    vaultUrl: (vaultName) => vaultOrigin(vaultName, port),
    admin,
    requestLog: () => state.requestLog.list(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.marketplace.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
