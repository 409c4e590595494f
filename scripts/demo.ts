// `npm run demo`: the whole product on one machine with no Microsoft cloud. Starts the built-in emulator of
// Entra ID and Dataverse (emulator/), migrates and seeds the embedded database, and serves the production
// build on PORT (default 3000), configured only through the same variables a real deployment uses.
//
// Environment: PORT (3000), HOST (127.0.0.1: loopback only; 0.0.0.0 or :: to be reached from other machines),
// EMULATOR_PORT (44300), DATABASE_URL (pglite:.data/pglite).
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
};

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
  const capture = process.env.SMTP_URL ? null : await startMailCapture({ httpPort: Number(process.env.MAIL_CAPTURE_HTTP_PORT || 0) });

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
    ENTRA_CLIENT_SECRET: runtime.clientSecret,
    // Shown (and warned about) on the support console's front page.
    ENTRA_CLIENT_SECRET_EXPIRES_AT: runtime.clientSecretExpiresAt ?? "",
    // A second secret, as during a rotation (the emulator's "previous secret", ending sooner): the portal uses the
    // valid one that expires last and falls back to the other when Entra rejects it (README "Rotating …").
    ENTRA_CLIENT_SECRET_2: runtime.clientSecret2 ?? "",
    ENTRA_CLIENT_SECRET_2_EXPIRES_AT: runtime.clientSecret2 ? (runtime.clientSecret2ExpiresAt ?? "") : "",
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

  // The portal logs JSON lines (lib/log.ts); in the demo they go through pino-pretty (a dev dependency) to
  // read as text. Lines that are not JSON (Next's own) pass through unchanged. Without it: JSON as is.
  const pretty = existsSync(bin("pino-pretty"))
    ? spawn(bin("pino-pretty"), ["--colorize", "--translateTime", "SYS:HH:MM:ss", "--ignore", "pid,hostname,service"], { stdio: ["pipe", "inherit", "inherit"] })
    : null;
  const portal = start(bin("next"), ["start", "-p", port, "-H", host], portalEnv, "portal", pretty?.stdin ? { stdout: pretty.stdin } : {});
  console.log(`\nDemo portal: http://localhost:${port}  (listening on ${host}; Microsoft emulator: ${runtime.authorityHost})`);
  if (capture) console.log(`Mail sent by the portal: http://127.0.0.1:${capture.httpPort}/  (SMTP capture on ${capture.smtpUrl})`);
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
