import "server-only";

// What `npm run doctor` reports: one finding per thing it checked, each wrong one with what is wrong, why it
// matters and the exact fix (the portal page to open or the command to run). Errors make the exit code 1;
// warnings are printed but pass (`--strict` fails on them too); skipped checks say why they were not run.

export type FindingStatus = "ok" | "warning" | "error" | "skipped";

export type Finding = {
  /** Stable id, for scripts reading `--json` (e.g. "registration.redirect-uris"). */
  id: string;
  status: FindingStatus;
  /** What was checked, in a few words. */
  title: string;
  /** What is wrong (or, when ok, what was found). */
  detail: string;
  /** Why it matters: what breaks, for whom. */
  why?: string;
  /** The exact fix. */
  fix?: string;
};

export const ok = (id: string, title: string, detail: string): Finding => ({ id, status: "ok", title, detail });
export const skipped = (id: string, title: string, detail: string): Finding => ({
  id,
  status: "skipped",
  title,
  detail,
});
export const problem = (
  status: "warning" | "error",
  id: string,
  title: string,
  detail: string,
  why: string,
  fix: string,
): Finding => ({ id, status, title, detail, why, fix });

export type DoctorReport = { ok: boolean; errors: number; warnings: number; findings: Finding[] };

export function report(findings: Finding[], strict = false): DoctorReport {
  const errors = findings.filter((f) => f.status === "error").length;
  const warnings = findings.filter((f) => f.status === "warning").length;
  return { ok: errors === 0 && (!strict || warnings === 0), errors, warnings, findings };
}

const MARK: Record<FindingStatus, string> = { ok: "✔", warning: "!", error: "✖", skipped: "–" };

/** The report as text for people: one line per finding, and under each wrong one what, why and how to fix it. */
export function formatReport(r: DoctorReport): string {
  const lines: string[] = [];
  for (const f of r.findings) {
    lines.push(`${MARK[f.status]} ${f.title}: ${f.detail}`);
    if (f.status === "warning" || f.status === "error") {
      if (f.why) lines.push(`    Why it matters: ${f.why}`);
      if (f.fix) lines.push(`    Fix: ${f.fix}`);
    }
  }
  lines.push("");
  lines.push(
    r.ok
      ? `Nothing is wrong${r.warnings ? ` (${r.warnings} warning${r.warnings === 1 ? "" : "s"})` : ""}.`
      : `${r.errors} problem${r.errors === 1 ? "" : "s"}${r.warnings ? ` and ${r.warnings} warning${r.warnings === 1 ? "" : "s"}` : ""} to fix.`,
  );
  return lines.join("\n");
}
