/**
 * Local PKI (persistent CA, per-start leaf certificate) and the scenario model (validation,
 * builders, stable demo ids).
 */
import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startEmulator,
  type EmulatorHandle,
  demoScenario,
  DEMO_IDS,
  parseScenario,
  scenario,
  ScenarioValidationError,
  withFault,
  withSettings,
} from "@tenant-onboarding/emulator";
import { createSelfSignedCertificate, ENSURE_CA_PROGRAM, ensureCa } from "@tenant-onboarding/emulator/testing";

let tmp: string;
let emu: EmulatorHandle;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "emulator-ca-"));
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("ensureCa", () => {
  it("creates one CA even when called concurrently, and reuses it", async () => {
    const results = await Promise.all([ensureCa(tmp), ensureCa(tmp), ensureCa(tmp)]);
    expect(new Set(results.map((r) => r.caCertPath)).size).toBe(1);
    const first = results[0];
    if (!first) throw new Error("no result");
    const certPem = await readFile(first.caCertPath, "utf8");
    const keyPem = await readFile(first.caKeyPath, "utf8");
    const cert = new X509Certificate(certPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 0).toBe(2048);
    const years = (Date.parse(cert.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9);
    const again = await ensureCa(tmp);
    expect(await readFile(again.caCertPath, "utf8")).toBe(certPem);
  });

  it("ensure-ca.ts prints only the CA path", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", ENSURE_CA_PROGRAM, tmp], { encoding: "utf8" });
    expect(out).toBe(`${path.join(tmp, "ca-v2", "ca-cert.pem")}\n`);
  });
});

describe("server certificate", () => {
  it("covers 127.0.0.1, localhost, every environment host and globaldisco, signed by the CA", async () => {
    const peer = await new Promise<{ authorized: boolean; san: string }>((resolve, reject) => {
      const socket = connect(
        { host: "127.0.0.1", port: emu.port, servername: "fabrikam.api.crm4.dynamics.localhost" },
        () => {
          const cert = socket.getPeerCertificate();
          resolve({ authorized: socket.authorized, san: cert.subjectaltname ?? "" });
          socket.end();
        },
      );
      socket.on("error", reject);
    });
    expect(peer.authorized).toBe(true);
    for (const name of [
      "IP Address:127.0.0.1",
      "DNS:localhost",
      "DNS:globaldisco.crm.dynamics.localhost",
      "DNS:contoso.crm.dynamics.localhost",
      "DNS:contoso.api.crm.dynamics.localhost",
      "DNS:adventureworks.crm11.dynamics.localhost",
    ]) {
      expect(peer.san).toContain(name);
    }
  });

  it("self-signed certificates report their thumbprints like the Azure portal", () => {
    const cert = createSelfSignedCertificate("Thumbprint test", 10);
    const x509 = new X509Certificate(cert.certPem);
    expect(cert.thumbprintSha1).toBe(x509.fingerprint.replace(/:/g, ""));
    expect(cert.thumbprintSha256).toBe(x509.fingerprint256.replace(/:/g, ""));
    expect(createPublicKey(cert.keyPem).export({ format: "pem", type: "spki" })).toBe(
      x509.publicKey.export({ format: "pem", type: "spki" }),
    );
  });
});

describe("scenario model", () => {
  it("keeps demo ids stable across builds", () => {
    const a = demoScenario();
    const b = demoScenario();
    expect(a.app.clientId).toBe(DEMO_IDS.clientId);
    expect(a.tenants.map((t) => t.id)).toEqual(b.tenants.map((t) => t.id));
    expect(a.environments.flatMap((e) => e.accounts.map((x) => x.id))).toEqual(
      b.environments.flatMap((e) => e.accounts.map((x) => x.id)),
    );
    expect(a.tenants.map((t) => t.displayName)).toEqual([
      "Northwind Traders",
      "Contoso",
      "Fabrikam",
      "Adventure Works",
      "Tailspin Toys",
      "Microsoft Accounts",
    ]);
    expect(a.environments.map((e) => `${e.name}@${e.region}`)).toEqual([
      "contoso@crm",
      "fabrikam@crm4",
      "adventureworks@crm11",
      "adventureworks-dev@crm",
    ]);
    // Contoso has not created the integration role yet; Fabrikam has.
    expect(a.environments[0]?.roles.map((r) => r.name)).toEqual([
      "System Administrator",
      "System Customizer",
      "Basic User",
    ]);
    expect(a.environments[1]?.roles.map((r) => r.name)).toEqual([
      "System Administrator",
      "System Customizer",
      "Basic User",
      "Northwind Sync Integration",
    ]);
  });

  it("builds a one-line failure and adds faults", () => {
    const s = withFault(
      scenario({ customers: [{ name: "Contoso", environments: [{ name: "contoso", appUser: "disabled" }] }] }),
      {
        throttle: { environment: "contoso", count: 2, retryAfterSeconds: 3, code: "0x80072326" },
        latencyMs: 10,
      },
    );
    const appUser = s.environments[0]?.systemUsers.find((u) => u.applicationId);
    expect(appUser?.isDisabled).toBe(true);
    expect(appUser?.accessMode).toBe(4);
    expect(s.faults).toEqual({
      latencyMs: 10,
      environmentLatencyMs: {},
      throttle: [{ environment: "contoso", remaining: 2, retryAfterSeconds: 3, code: "0x80072326" }],
    });
    expect(withSettings(s, { tokenLifetimeSeconds: 60 }).settings.tokenLifetimeSeconds).toBe(60);
  });

  it("round-trips through JSON and validates cross references", () => {
    const s = demoScenario();
    expect(parseScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
    const broken = structuredClone(s);
    const env = broken.environments[0];
    if (env) env.tenantId = "00000000-0000-0000-0000-000000000001";
    expect(() => parseScenario(broken)).toThrow(ScenarioValidationError);
    expect(() => parseScenario({ ...s, app: { ...s.app, clientId: "not-a-guid" } })).toThrow(/clientId/);
    const twoRoots = structuredClone(s);
    twoRoots.environments[0]?.businessUnits.push({
      id: "00000000-0000-0000-0000-000000000002",
      name: "second",
      parentId: null,
    });
    expect(() => parseScenario(twoRoots)).toThrow(/root business unit/);
  });
});
