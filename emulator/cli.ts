/**
 * `npm run emulator`: the emulator with the built-in demo scenario (or EMULATOR_SCENARIO=file.json).
 *
 * Environment: EMULATOR_PORT (44300), EMULATOR_SCENARIO, EMULATOR_STATE_DIR (<repo>/.emulator),
 * EMULATOR_REDIRECT_URIS (comma-separated extra redirect URIs), EMULATOR_RUNTIME_FILE (an extra copy
 * of runtime.json, e.g. per port), EMULATOR_MARKETPLACE_LANDING_URL and EMULATOR_MARKETPLACE_WEBHOOK_URL (the SaaS
 * offer's landing page and connection webhook, Partner Center's technical configuration).
 *
 * Writes `<stateDir>/runtime.json` with everything a portal needs to talk to it (authority, client
 * id/secret/certificate paths, tenants, environments). The secret and certificate are generated on
 * first start and persisted in `<stateDir>/demo-app/`.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateClientSecretValue, loadOrCreateDemoCredentials } from "./credentials";
import { randomGuid } from "./guid";
import type { AppCredentials } from "./credentials";
import { DEMO_IDS, demoScenario } from "./demo-scenario";
import { DEFAULT_CONSENT_ADMIN_ROLES } from "./directory-roles";
import { startEmulator } from "./index";
import type { EmulatorHandle } from "./index";
import { defaultStateDir } from "./paths";
import { parseScenario } from "./scenario";
import type { Scenario } from "./scenario";

async function loadScenario(
  file: string | undefined,
  credentials: AppCredentials,
  extraRedirectUris: string[],
): Promise<Scenario> {
  if (!file) return demoScenario({ credentials, extraRedirectUris });
  const parsed = parseScenario(JSON.parse(await readFile(file, "utf8")));
  // A scenario file without credentials uses the persisted demo ones (no secrets in files).
  if (parsed.app.secrets.length === 0) {
    parsed.app.secrets.push({
      keyId: credentials.secret.keyId,
      displayName: "demo secret",
      value: credentials.secret.value,
      expiresAt: credentials.secret.expiresAt,
    });
  }
  if (parsed.app.certificates.length === 0) {
    const c = credentials.certificate;
    parsed.app.certificates.push({
      keyId: c.keyId,
      displayName: "demo certificate",
      certPem: c.certPem,
      thumbprintSha1: c.thumbprintSha1,
      thumbprintSha256: c.thumbprintSha256,
      expiresAt: c.expiresAt,
    });
  }
  parsed.app.redirectUris = [...new Set([...parsed.app.redirectUris, ...extraRedirectUris])];
  return parsed;
}

function runtimeInfo(emu: EmulatorHandle, paths: { certPath: string; keyPath: string }, credentials: AppCredentials) {
  const s = emu.scenario;
  const secret = s.app.secrets.find((x) => x.value === credentials.secret.value) ?? s.app.secrets[0];
  const isAdmin = (wids: string[]) => wids.some((w) => DEFAULT_CONSENT_ADMIN_ROLES.includes(w));
  return {
    authorityHost: emu.authorityHost,
    port: emu.port,
    caCertPath: emu.caCertPath,
    clientId: s.app.clientId,
    appDisplayName: s.app.displayName,
    homeTenantId: s.app.homeTenantId,
    clientSecret: secret?.value ?? "",
    clientSecretKeyId: secret?.keyId ?? "",
    clientSecretExpiresAt: secret?.expiresAt ?? "",
    // The second secret (addRotationSecret), configured as ENTRA_CLIENT_SECRET_2 by `npm run demo`.
    clientSecret2:
      s.app.secrets.find((x) => x !== secret && x.displayName === "previous secret (rotation)")?.value ?? "",
    clientSecret2KeyId:
      s.app.secrets.find((x) => x !== secret && x.displayName === "previous secret (rotation)")?.keyId ?? "",
    clientSecret2ExpiresAt:
      s.app.secrets.find((x) => x !== secret && x.displayName === "previous secret (rotation)")?.expiresAt ?? "",
    clientCertificate: {
      certPath: paths.certPath,
      keyPath: paths.keyPath,
      thumbprintSha1: credentials.certificate.thumbprintSha1,
      thumbprintSha256: credentials.certificate.thumbprintSha256,
    },
    redirectUris: s.app.redirectUris,
    // Callers of the portal's API (/api/v1): client-credentials apps with their secret and granted roles.
    clientApps: s.clientApps.map((c) => ({
      displayName: c.displayName,
      clientId: c.clientId,
      homeTenantId: c.homeTenantId,
      clientSecret: c.secrets[0]?.value ?? "",
      roles: c.grantedAppRoles,
    })),
    globalDiscoveryUrl: emu.globalDiscoveryUrl,
    graphUrl: emu.graphUrl,
    // The commercial marketplace: its Fulfillment API (MARKETPLACE_API_URL) and the purchase and admin page.
    marketplaceApiUrl: emu.marketplaceApiUrl,
    marketplace: `${emu.authorityHost}/_emulator/marketplace`,
    // The host's managed identity (App Service: IDENTITY_ENDPOINT, IDENTITY_HEADER) and the portal's vault.
    managedIdentity: { ...emu.managedIdentity, clientId: s.managedIdentities[0]?.clientId ?? "" },
    keyVault: {
      url: emu.vaultUrl(DEMO_IDS.keyVault.name),
      authSecretUri: `${emu.vaultUrl(DEMO_IDS.keyVault.name)}/secrets/${DEMO_IDS.keyVault.authSecret}`,
      certificateUrl: `${emu.vaultUrl(DEMO_IDS.keyVault.name)}/certificates/${DEMO_IDS.keyVault.certificate}`,
    },
    adminApi: `${emu.authorityHost}/_emulator`,
    ppac: `${emu.authorityHost}/_emulator/ppac`,
    tenants: s.tenants.map((t) => ({
      id: t.id,
      displayName: t.displayName,
      primaryDomain: t.primaryDomain,
      kind: t.kind,
      hasDataverse: t.hasDataverse,
      consented: t.appConsented,
      users: t.users.map((u) => ({
        upn: u.upn,
        displayName: u.displayName,
        oid: u.oid,
        globalAdministrator: isAdmin(u.wids),
        appRoles: u.appRoles,
      })),
    })),
    environments: s.environments.map((e) => ({
      name: e.name,
      friendlyName: e.friendlyName,
      region: e.region,
      url: emu.environmentUrl(e.name),
      apiUrl: emu.environmentUrl(e.name, { api: true }),
      tenantId: e.tenantId,
      organizationId: e.organizationId,
      applicationUser: describeAppUser(e, s.app.clientId),
    })),
  };
}

function describeAppUser(env: Scenario["environments"][number], clientId: string): string {
  const user = env.systemUsers.find((u) => u.applicationId === clientId);
  if (!user) return "none";
  const roles = user.roleIds.map((id) => env.roles.find((r) => r.id === id)?.name ?? id);
  return `${user.isDisabled ? "disabled" : "enabled"}, ${roles.length ? `roles: ${roles.join(", ")}` : "no security role"}`;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

function printSummary(info: ReturnType<typeof runtimeInfo>): void {
  const lines = [
    "Entra ID + Dataverse emulator",
    `  Authority:          ${info.authorityHost}/<tenant>  (OIDC: ${info.authorityHost}/<tenant>/v2.0/.well-known/openid-configuration)`,
    `  Global discovery:   ${info.globalDiscoveryUrl}/api/discovery/v2.0/Instances`,
    `  Microsoft Graph:    ${info.graphUrl}/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='…')`,
    `  Admin API:          ${info.adminApi}   PPAC (emulated): ${info.ppac}`,
    `  Marketplace:        ${info.marketplace}  (buy, change, suspend; Fulfillment API ${info.marketplaceApiUrl})`,
    `  CA certificate:     ${info.caCertPath}  (NODE_EXTRA_CA_CERTS)`,
    `  Managed identity:   ${info.managedIdentity.endpoint}  (IDENTITY_ENDPOINT; client id ${info.managedIdentity.clientId})`,
    `  Key Vault:          ${info.keyVault.url}`,
    `  App "${info.appDisplayName}": client id ${info.clientId}, home tenant ${info.homeTenantId}`,
    "",
    "Tenants and users:",
  ];
  for (const t of info.tenants) {
    lines.push(
      `  ${t.displayName} (${t.id}, ${t.primaryDomain})${t.hasDataverse ? "" : " — no Dataverse"}${t.consented ? " — consented" : " — not consented"}`,
    );
    for (const u of t.users) {
      const roles = [...(u.globalAdministrator ? ["Global Administrator"] : []), ...u.appRoles];
      lines.push(`      ${u.upn}  ${u.displayName}${roles.length ? `  [${roles.join(", ")}]` : ""}`);
    }
  }
  lines.push("", "Dataverse environments:");
  for (const e of info.environments)
    lines.push(`  ${e.name.padEnd(20)} ${e.url}  (tenant ${e.tenantId}, application user: ${e.applicationUser})`);
  lines.push("", "Client apps of the portal's API (scope api://<app client id>/.default; secrets in runtime.json):");
  for (const c of info.clientApps)
    lines.push(
      `  ${c.displayName}: client id ${c.clientId}, tenant ${c.homeTenantId}${c.roles.length ? `  [${c.roles.join(", ")}]` : "  [no role]"}`,
    );
  lines.push("", `Runtime details: see runtime.json. Press Ctrl+C to stop.`);
  console.log(lines.join("\n"));
}

/**
 * A second secret on the app registration, as during a rotation (docs/protocol/entra.md "Credential rotation"): the
 * previous one, ending 90 days from now (or a day before the demo secret, if that ends sooner). New at every start —
 * runtime.json hands it to the portal — and part of the starting scenario, so `reset()` keeps it.
 */
function addRotationSecret(scenario: Scenario, credentials: AppCredentials): void {
  const end = Math.min(Date.now() + 90 * 86_400_000, Date.parse(credentials.secret.expiresAt) - 86_400_000);
  scenario.app.secrets.push({
    keyId: randomGuid(),
    displayName: "previous secret (rotation)",
    value: generateClientSecretValue(),
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    expiresAt: new Date(end).toISOString(),
  });
}

/**
 * Fabrikam's marketplace subscription (professional, 25 seats, active), as the demo's seed records it in the portal:
 * the emulated marketplace page can then suspend, reinstate or change it and the portal follows.
 */
function addDemoSubscription(scenario: Scenario): void {
  const fabrikam = scenario.tenants.find((t) => t.id === DEMO_IDS.tenants.fabrikam);
  const diego = fabrikam?.users.find((u) => u.upn.startsWith("diego@"));
  if (!fabrikam || !diego || scenario.marketplace.subscriptions.some((s) => s.id === DEMO_IDS.subscriptions.fabrikam))
    return;
  const party = { emailId: diego.upn, objectId: diego.oid, tenantId: fabrikam.id, puid: null };
  const start = new Date(Date.now() - 3 * 86_400_000);
  const day = (d: Date) => `${d.toISOString().slice(0, 10)}T00:00:00Z`;
  const end = new Date(start);
  end.setUTCMonth(end.getUTCMonth() + 1);
  end.setUTCDate(end.getUTCDate() - 1);
  scenario.marketplace.subscriptions.push({
    id: DEMO_IDS.subscriptions.fabrikam,
    name: "Northwind Sync for Fabrikam",
    offerId: "northwind-sync",
    planId: "professional",
    quantity: 25,
    saasSubscriptionStatus: "Subscribed",
    beneficiary: party,
    purchaser: party,
    term: { termUnit: "P1M", startDate: day(start), endDate: day(end) },
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    allowedCustomerOperations: ["Delete", "Update", "Read"],
    sandboxType: "None",
    sessionMode: "None",
    created: start.toISOString().replace("Z", "0000Z"),
    lastModified: "0001-01-01T00:00:00",
  });
}

async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? "44300");
  const stateDir = process.env.EMULATOR_STATE_DIR ?? defaultStateDir();
  const extraRedirectUris = (process.env.EMULATOR_REDIRECT_URIS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const { credentials, paths } = await loadOrCreateDemoCredentials(stateDir, DEMO_IDS.appDisplayName);
  const scenario = await loadScenario(process.env.EMULATOR_SCENARIO, credentials, extraRedirectUris);
  addRotationSecret(scenario, credentials);
  addDemoSubscription(scenario);
  // The offer's technical configuration in Partner Center: where a purchase lands and where notifications go.
  if (process.env.EMULATOR_MARKETPLACE_LANDING_URL)
    scenario.marketplace.landingPageUrl = process.env.EMULATOR_MARKETPLACE_LANDING_URL;
  if (process.env.EMULATOR_MARKETPLACE_WEBHOOK_URL)
    scenario.marketplace.webhookUrl = process.env.EMULATOR_MARKETPLACE_WEBHOOK_URL;
  const emu = await startEmulator({ port, scenario, stateDir });
  const info = runtimeInfo(emu, paths, credentials);
  const json = `${JSON.stringify(info, null, 2)}\n`;
  await writeAtomically(path.join(stateDir, "runtime.json"), json);
  if (process.env.EMULATOR_RUNTIME_FILE) await writeAtomically(path.resolve(process.env.EMULATOR_RUNTIME_FILE), json);
  printSummary(info);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the emulator`);
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
