const styles = {
  PASSED: "bg-emerald-100 text-emerald-900 ring-emerald-600/20",
  WARNING: "bg-amber-100 text-amber-900 ring-amber-600/20",
  FAILED: "bg-red-100 text-red-900 ring-red-600/20",
  RUNNING: "bg-sky-100 text-sky-900 ring-sky-600/20",
  SKIPPED: "bg-slate-100 text-slate-600 ring-slate-500/20",
  NONE: "bg-slate-100 text-slate-600 ring-slate-500/20",
} as const;

const labels = { PASSED: "Passed", WARNING: "Warning", FAILED: "Failed", RUNNING: "Running", SKIPPED: "Skipped", NONE: "Not checked" } as const;

export type Outcome = keyof typeof styles;

export function OutcomeBadge({ outcome }: { outcome: Outcome | null }) {
  const key = outcome ?? "NONE";
  return <span className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${styles[key]}`}>{labels[key]}</span>;
}
