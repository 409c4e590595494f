// `npm run demo`: the whole product on one machine with no Microsoft cloud. Starts the built-in emulator of
// Entra ID and Dataverse (emulator/), migrates and seeds the embedded database, and serves the production
// build on PORT (default 3000), configured only through the same variables a real deployment uses.
//
// Environment: PORT (3000), HOST (127.0.0.1: loopback only; 0.0.0.0 or :: to be reached from other machines),
// EMULATOR_PORT (44300), DATABASE_URL (pglite:.data/pglite), DEMO_CREDENTIAL (the app's credential:
// managed-identity — no secret anywhere, the default —, secret or certificate).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { EMULATED_DATAVERSE_HOST_SUFFIXES } from "@tenant-onboarding/emulator";
import { baseEnv, bin, buildIfNeeded, root, run, start, stopAll, waitFor } from "./lib.mjs";
import { startMailCapture } from "./mail-capture";

type Runtime = {
  authorityHost: string;
  caCertPath: string;
  clientId: string;
  homeTenantId: string;
  clientSecret: string;
  clientSecretExpiresAt?: string;
  clientSecret2?: string;
  clientSecret2ExpiresAt?: string;
  globalDiscoveryUrl: string;
  graphUrl: string;
  ppac: string;
  marketplaceApiUrl: string;
  marketplace: string;
  clientCertificate: { certPath: string; keyPath: string };
  managedIdentity: { endpoint: string; header: string; clientId: string };
  keyVault: { authSecretUri: string; certificateUrl: string };
};

const CREDENTIALS = ["managed-identity", "secret", "certificate"] as const;
type DemoCredential = (typeof CREDENTIALS)[number];

/**
 * The app's credential for Entra ID, as a deployment would configure it. By default none is a secret: the app
 * registration trusts the host's managed identity (federated credential) and falls back to its certificate held in
 * Key Vault; the portal's session secret is a Key Vault reference too (README "Running without secrets").
 */
function credentialEnv(kind: DemoCredential, runtime: Runtime): Record<string, string> {
  // Only the chosen kind, whatever the shell that started the demo has set (empty values are unset).
  const none = Object.fromEntries(
    [
      "ENTRA_CLIENT_SECRET",
      "ENTRA_CLIENT_SECRET_EXPIRES_AT",
      "ENTRA_CLIENT_SECRET_2",
      "ENTRA_CLIENT_SECRET_2_EXPIRES_AT",
      "ENTRA_CLIENT_CERTIFICATE_PATH",
      "ENTRA_CLIENT_PRIVATE_KEY_PATH",
      "ENTRA_CLIENT_MANAGED_IDENTITY",
      "ENTRA_CLIENT_CERTIFICATE_KEY_VAULT",
    ].map((name) => [name, ""]),
  );
  return { ...none, ...credentialEnvOf(kind, runtime) };
}

function credentialEnvOf(kind: DemoCredential, runtime: Runtime): Record<string, string> {
  switch (kind) {
    case "managed-identity":
      return {
        // What App Service sets on a host with a managed identity.
        IDENTITY_ENDPOINT: runtime.managedIdentity.endpoint,
        IDENTITY_HEADER: runtime.managedIdentity.header,
        ENTRA_CLIENT_MANAGED_IDENTITY: runtime.managedIdentity.clientId,
        ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: runtime.keyVault.certificateUrl,
      };
    case "certificate":
      return {
        ENTRA_CLIENT_CERTIFICATE_PATH: runtime.clientCertificate.certPath,
        ENTRA_CLIENT_PRIVATE_KEY_PATH: runtime.clientCertificate.keyPath,
      };
    case "secret":
      return {
        ENTRA_CLIENT_SECRET: runtime.clientSecret,
        // Shown (and warned about) on the support console's front page.
        ENTRA_CLIENT_SECRET_EXPIRES_AT: runtime.clientSecretExpiresAt ?? "",
        // A second secret, as during a rotation (the emulator's "previous secret", ending sooner): the portal uses the
        // valid one that expires last and falls back to the other when Entra rejects it (README "Rotating …").
        ENTRA_CLIENT_SECRET_2: runtime.clientSecret2 ?? "",
        ENTRA_CLIENT_SECRET_2_EXPIRES_AT: runtime.clientSecret2 ? (runtime.clientSecret2ExpiresAt ?? "") : "",
      };
  }
}

const port = process.env.PORT || "3000";
// A demo signs anyone in who reaches it (the emulator has no passwords): loopback only unless told otherwise.
const host = process.env.HOST || "127.0.0.1";
const emulatorPort = process.env.EMULATOR_PORT || "44300";
const databaseUrl = process.env.DATABASE_URL || "pglite:.data/pglite";
const stateDir = path.join(root, ".emulator");
const runtimeFile = path.join(stateDir, `runtime-${emulatorPort}.json`);

async function main() {
  buildIfNeeded();

  rmSync(runtimeFile, { force: true });
  // The SaaS offer's technical configuration, as in Partner Center: purchases land on /consent, notifications go to
  // the portal's marketplace webhook (README "Selling on AppSource").
  const portalUrl = process.env.AUTH_URL || `http://localhost:${port}`;
  const emulator = start(
    bin("tsx"),
    ["emulator/cli.ts"],
    baseEnv({
      EMULATOR_PORT: emulatorPort,
      EMULATOR_RUNTIME_FILE: runtimeFile,
      EMULATOR_MARKETPLACE_LANDING_URL: `${portalUrl}/consent`,
      EMULATOR_MARKETPLACE_WEBHOOK_URL: `${portalUrl}/api/marketplace/webhook`,
    }),
    "emulator",
  );
  await waitFor(() => existsSync(runtimeFile), { timeoutMs: 60_000, what: "the emulator to start" });
  const runtime = JSON.parse(readFileSync(runtimeFile, "utf8")) as Runtime;

  // A real SMTP server on loopback that keeps what the portal sends (alerts, invitations), unless SMTP_URL is given.
  const capture = process.env.SMTP_URL
    ? null
    : await startMailCapture({ httpPort: Number(process.env.MAIL_CAPTURE_HTTP_PORT || 0) });

  const credential = (process.env.DEMO_CREDENTIAL || "managed-identity") as DemoCredential;
  if (!CREDENTIALS.includes(credential)) throw new Error(`DEMO_CREDENTIAL must be one of ${CREDENTIALS.join(", ")}`);
  const portalEnv = baseEnv({
    PORTAL_MODE: "demo",
    PORT: port,
    DATABASE_URL: databaseUrl,
    AUTH_URL: portalUrl,
    // Sessions of a demo last as long as the demo runs.
    AUTH_SECRET: process.env.AUTH_SECRET || randomBytes(32).toString("base64url"),
    ENTRA_AUTHORITY_HOST: runtime.authorityHost,
    ENTRA_CLIENT_ID: runtime.clientId,
    ENTRA_HOME_TENANT_ID: runtime.homeTenantId,
    ...credentialEnv(credential, runtime),
    DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
    // The emulator's Global Discovery (the environment picker) and its admin center (linked by the walkthrough).
    GLOBAL_DISCOVERY_URL: runtime.globalDiscoveryUrl,
    // The emulator's Microsoft Graph: organisation names (findTenantInformationByTenantId).
    GRAPH_URL: runtime.graphUrl,
    DEMO_ADMIN_CENTER_URL: runtime.ppac,
    // The emulator's commercial marketplace: the SaaS Fulfillment API the landing page and the webhook call.
    MARKETPLACE_API_URL: runtime.marketplaceApiUrl,
    // The emulator's certificates are signed by its local CA; Node trusts only what it is told at start.
    NODE_EXTRA_CA_CERTS: runtime.caCertPath,
    ...(capture ? { SMTP_URL: capture.smtpUrl, EMAIL_FROM: process.env.EMAIL_FROM || "alerts@northwind.example" } : {}),
  });

  run(bin("tsx"), ["scripts/db-migrate.ts"], portalEnv);
  run(bin("tsx"), ["--conditions=react-server", "scripts/db-seed.ts"], portalEnv);
  // Without a secret, the portal's session secret too is read from Key Vault at start (a Key Vault reference).
  if (credential === "managed-identity" && !process.env.AUTH_SECRET)
    portalEnv.AUTH_SECRET = `@Microsoft.KeyVault(SecretUri=${runtime.keyVault.authSecretUri})`;

  // The portal logs JSON lines (lib/log.ts); in the demo they go through pino-pretty (a dev dependency) to
  // read as text. Lines that are not JSON (Next's own) pass through unchanged. Without it: JSON as is.
  const pretty = existsSync(bin("pino-pretty"))
    ? spawn(bin("pino-pretty"), ["--colorize", "--translateTime", "SYS:HH:MM:ss", "--ignore", "pid,hostname,service"], {
        stdio: ["pipe", "inherit", "inherit"],
      })
    : null;
  const portal = start(
    bin("next"),
    ["start", "-p", port, "-H", host],
    portalEnv,
    "portal",
    pretty?.stdin ? { stdout: pretty.stdin } : {},
  );
  console.log(
    `\nDemo portal: http://localhost:${port}  (listening on ${host}; Microsoft emulator: ${runtime.authorityHost})`,
  );
  console.log(
    credential === "managed-identity"
      ? "No secret configured: the app's credential is the host's managed identity (federated credential), with its certificate in Key Vault as the fallback; AUTH_SECRET is a Key Vault reference.\n  With a client secret instead: DEMO_CREDENTIAL=secret npm run demo   With a certificate file: DEMO_CREDENTIAL=certificate npm run demo"
      : `The app's credential: ${credential === "secret" ? "two client secrets (a rotation)" : "a certificate file"}. Without any secret: npm run demo (DEMO_CREDENTIAL=managed-identity).`,
  );
  if (capture)
    console.log(`Mail sent by the portal: http://127.0.0.1:${capture.httpPort}/  (SMTP capture on ${capture.smtpUrl})`);
  console.log(`Buy the SaaS offer in the emulated marketplace: ${runtime.marketplace}`);
  console.log("");

  void portal;
  void emulator;
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
