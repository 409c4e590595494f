// Scheduled re-verification on the pg-boss queue (over PGlite through `db.executeSql`): each breakage is seen by
// the next scheduled run and alerted exactly once by e-mail (captured by a real SMTP server on loopback), recovery
// once; results join the check history as SCHEDULED; the SMTP server down → retried and logged, nothing lost,
// the re-verification itself unaffected.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { startMailCapture, type MailCapture } from "@/scripts/mail-capture";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { useRecheckWorker } from "../support/recheck-worker";
import { setTestEnv } from "../support/config";
import { forgetTokens } from "../support/tokens";
import { emptyPortalDatabase } from "../support/portal-database";
import { testCustomerScope } from "../support/customer-scope";
import type { RecheckWorker } from "@/lib/recheck";

const h = useCheckHarness("pglite");
const FABRIKAM = DEMO_IDS.tenants.fabrikam;
const ADMIN = { objectId: "00000000-0000-4000-8000-0000000000d1", upn: "diego@fabrikam.onmicrosoft.com" };
const PORTAL = "https://onboarding.northwind.example";
let mail: MailCapture;
let worker: RecheckWorker;

beforeAll(async () => {
  mail = await startMailCapture();
  setTestEnv({
    SMTP_URL: mail.smtpUrl,
    EMAIL_FROM: "alerts@northwind.example",
    RECHECK_INTERVAL_MINUTES: "1",
    AUTH_URL: PORTAL,
  });
  worker = await workers.start();
}, 120_000);

// Each test starts from the same working connection, set up afresh (the emulator as it started, an empty database,
// no cached token), so the tests run alone and in any order.
beforeEach(async () => {
  h.emulator.admin.reset();
  await emptyPortalDatabase();
  await forgetTokens(FABRIKAM);
  // Fabrikam onboarded by Diego, consent proven, its environment verified once by a customer check.
  await runHarnessCheck(h, FABRIKAM, "fabrikam");
  const { db } = await import("@/lib/db/client");
  await db().tenant.update({
    where: { id: FABRIKAM },
    data: {
      displayName: "Fabrikam, Inc.",
      consentVerifiedAt: new Date(),
      consentGrantedByObjectId: ADMIN.objectId,
      consentGrantedByName: "Diego Siciliani",
    },
  });
  await db().environment.updateMany({ where: { tenantId: FABRIKAM }, data: { friendlyName: "Fabrikam (Production)" } });
  await db().portalSession.create({
    data: {
      tenantId: FABRIKAM,
      entraTenantId: FABRIKAM,
      userObjectId: ADMIN.objectId,
      userName: "Diego Siciliani",
      userPrincipalName: ADMIN.upn,
      isTenantAdmin: true,
      expiresAt: new Date(Date.now() + 3600_000),
    },
  });
}, 120_000);

afterAll(async () => {
  await mail?.close();
});
// Registered after the mail capture's clean-up, so it runs before it (after-all hooks run last first): the
// workers stop while the SMTP server is still there.
const workers = useRecheckWorker();

/** The next scheduled run: this minute's plan (every environment, with a 1-minute interval), worked to the end. */
async function scheduledRun() {
  const { planRechecks } = await import("@/lib/recheck");
  expect(await planRechecks(new Date(), { jitter: false })).toBe(1);
  await worker.drain();
  const { db } = await import("@/lib/db/client");
  return db().environment.findFirstOrThrow({
    where: { tenantId: FABRIKAM },
    select: {
      health: true,
      healthCauseId: true,
      healthCause: true,
      brokenSince: true,
      latestCheck: { select: { trigger: true, triggeredByName: true } },
    },
  });
}

async function mailLog() {
  const { db } = await import("@/lib/db/client");
  return db().mailMessage.findMany({
    where: { tenantId: FABRIKAM },
    orderBy: { createdAt: "asc" },
    select: { kind: true, recipients: true, subject: true, status: true, attempts: true, lastError: true },
  });
}

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const breakages: Array<{ name: string; causeId: string; subject: RegExp; break: () => void; fix: () => void }> = [
  {
    name: "consent revoked",
    causeId: "consent-removed",
    subject: /consent removed/,
    break: () => h.emulator.admin.revokeConsent("Fabrikam"),
    // Seen at once although the Dataverse token is still cached: every check proves consent with a fresh token.
    fix: () => h.emulator.admin.grantConsent("Fabrikam"),
  },
  {
    name: "application user disabled",
    causeId: "application-user-disabled",
    subject: /connection broken/,
    break: () => h.emulator.admin.setApplicationUserDisabled("fabrikam", true),
    fix: () => h.emulator.admin.setApplicationUserDisabled("fabrikam", false),
  },
  {
    name: "privilege removed",
    causeId: "privileges-missing",
    subject: /connection broken/,
    break: () => h.emulator.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadAccount", null),
    fix: () => h.emulator.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadAccount", "Global"),
  },
];

describe("scheduled re-verification", () => {
  it("a run with nothing changed records a SCHEDULED check and tells nobody", async () => {
    const env = await scheduledRun();
    expect(env).toMatchObject({
      health: "HEALTHY",
      latestCheck: { trigger: "SCHEDULED", triggeredByName: "scheduled re-verification" },
    });
    expect(await mailLog()).toEqual([]);
  });

  for (const b of breakages) {
    it(`${b.name}: detected by the next scheduled run, alerted exactly once; recovery alerted once`, async () => {
      const before = mail.messages().length;
      b.break();
      const broken = await scheduledRun();
      expect(broken).toMatchObject({ health: "BROKEN", healthCauseId: b.causeId });
      await until("the alert e-mails", () => mail.messages().length === before + 2);
      const alerts = mail.messages().slice(before);
      expect(alerts.map((m) => m.to[0]).sort()).toEqual([ADMIN.upn, "support@northwind.example"]);
      const { db } = await import("@/lib/db/client");
      const env = await db().environment.findFirstOrThrow({
        where: { tenantId: FABRIKAM },
        select: { id: true, brokenSince: true },
      });
      const failing = await db().checkStep.findFirstOrThrow({
        where: { tenantId: FABRIKAM, outcome: "FAILED" },
        orderBy: { startedAt: "desc" },
        select: { customerFix: true },
      });
      for (const m of alerts) {
        expect(m.subject).toMatch(b.subject);
        expect(m.subject).toContain("Fabrikam (Production)");
        expect(m.subject).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
        // The organisation, since when in the one date format, the cause, the fix and a link to the environment's page.
        expect(m.text).toContain("of Fabrikam, Inc. is broken since");
        expect(m.text).toContain(
          new Intl.DateTimeFormat("en-GB", {
            day: "numeric",
            month: "short",
            year: "numeric",
            hour: "2-digit",
            minute: "2-digit",
            timeZone: "UTC",
            timeZoneName: "short",
          }).format(env.brokenSince!),
        );
        expect(m.text).toMatch(/\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
        expect(m.text).toContain(`How to fix it: ${failing.customerFix}`);
        expect(m.text).toContain(`${PORTAL}/onboarding/environments/${env.id}`);
        expect(m.from).toBe("alerts@northwind.example");
      }
      // The support copy is named by the organisation, and links the console.
      const copy = alerts.find((m) => m.to[0] === "support@northwind.example")!;
      expect(copy.subject).toMatch(/^\[Fabrikam, Inc\.\] /);
      expect(copy.text).toContain(`${PORTAL}/console/tenants/${FABRIKAM}`);
      expect(copy.text).toContain(`Customer told: ${ADMIN.upn}`);
      // Still broken at the next run: no second alert.
      expect(await scheduledRun()).toMatchObject({ health: "BROKEN", brokenSince: broken.brokenSince });
      b.fix();
      expect((await scheduledRun()).health).toBe("RECOVERED");
      await until("the recovery e-mails", () => mail.messages().length === before + 4);
      expect(
        mail
          .messages()
          .slice(before + 2)
          .map((m) => m.subject),
      ).toEqual([expect.stringMatching(/working again/), expect.stringMatching(/working again/)]);
      expect((await scheduledRun()).health).toBe("HEALTHY");
      await new Promise((r) => setTimeout(r, 500));
      expect(mail.messages()).toHaveLength(before + 4);
    });
  }

  it("the vendor's secret expired: seen by the next run (its fresh consent proof), although the Dataverse token is cached; a customer who opted out is not e-mailed, support is", async () => {
    const { db } = await import("@/lib/db/client");
    await db().tenant.update({ where: { id: FABRIKAM }, data: { emailAlertsOff: true } });
    const before = mail.messages().length;
    h.emulator.admin.expireSecret();
    const broken = await scheduledRun();
    expect(broken).toMatchObject({ health: "BROKEN", healthCauseId: "vendor-credential" });
    await until("the alert e-mail", () => mail.messages().length === before + 1);
    const [alert] = mail.messages().slice(before);
    expect(alert).toMatchObject({ to: ["support@northwind.example"] });
    expect(alert!.text).toContain("Nothing is wrong on your side");
    expect(alert!.text).toContain("opted out of e-mail alerts");
    await db().tenant.update({ where: { id: FABRIKAM }, data: { emailAlertsOff: false } });
    h.emulator.admin.reset();
  });

  it("the SMTP server down: the run is unaffected, the alert is logged as retried, and delivered once the server is back", async () => {
    expect((await scheduledRun()).health).not.toBe("BROKEN");
    await until("the recovery e-mails", async () => (await mailLog()).every((m) => m.status === "SENT"));
    const before = mail.messages().length;
    await mail.stop();
    h.emulator.admin.setApplicationUserDisabled("fabrikam", true);
    const broken = await scheduledRun();
    expect(broken.health).toBe("BROKEN");
    await until("a failed attempt in the log", async () =>
      (await mailLog()).some((m) => m.status === "QUEUED" && m.attempts >= 1 && m.lastError !== null),
    );
    await mail.start();
    await until("the delivery after the server came back", () => mail.messages().length === before + 2, 45_000);
    const log = await mailLog();
    expect(log.every((m) => m.status === "SENT")).toBe(true);
    expect(log.some((m) => m.attempts >= 2)).toBe(true);
  }, 90_000);
});

describe("a scheduled attempt", () => {
  /** The recheck entry point, the check's start and Fabrikam's environment, read after the harness set them up. */
  const setUp = async () => {
    const { recheckEnvironment } = await import("@/lib/recheck");
    const { startCheck } = await import("@/lib/data/checks");
    const { db } = await import("@/lib/db/client");
    const env = await db().environment.findFirstOrThrow({ where: { tenantId: FABRIKAM }, select: { id: true } });
    return {
      recheckEnvironment,
      startCheck,
      db,
      environmentId: env.id,
      job: { tenantId: FABRIKAM, environmentId: env.id },
    };
  };

  it("after the database came back, begins again the check its first attempt started, read from that check", async () => {
    const { recheckEnvironment, startCheck, db, environmentId, job } = await setUp();
    const { systemScope } = await import("@/lib/data/scope");
    const since = new Date();
    // The first attempt started its check; then the database went away mid-check.
    const first = await startCheck(
      systemScope(FABRIKAM, "test"),
      environmentId,
      "SCHEDULED",
      "token",
      "unless-running",
    );
    if (!first.started) throw new Error("the first attempt's check should start");
    const result = await recheckEnvironment(job, Date.now(), { since, tries: 1 });
    expect(result).toMatchObject({ ran: true, checkId: first.checkId, outcome: "PASSED" });
    expect(await db().connectionCheck.count({ where: { environmentId, trigger: "SCHEDULED" } })).toBe(1);
    expect(await db().auditEvent.count({ where: { action: "check.resumed", targetId: first.checkId } })).toBe(1);
  });

  it("is not run for an environment removed since it was planned, nor beside a check still running", async () => {
    const { recheckEnvironment, startCheck, db, environmentId, job } = await setUp();
    const running = await startCheck(
      await testCustomerScope(FABRIKAM),
      environmentId,
      "CUSTOMER",
      "token",
      "unless-running",
    );
    expect(running.started).toBe(true);
    expect(await recheckEnvironment(job)).toEqual({ ran: false, reason: "running" });
    await db().environment.delete({ where: { id: environmentId } });
    expect(await recheckEnvironment(job)).toEqual({ ran: false, reason: "gone" });
    expect(await db().connectionCheck.count({ where: { environmentId } })).toBe(0);
  });
});
