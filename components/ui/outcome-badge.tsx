import { Badge, type BadgeTone } from "@/components/ui/badge";

const tones = {
  PASSED: "success",
  WARNING: "warning",
  FAILED: "danger",
  RUNNING: "info",
  SKIPPED: "neutral",
  NONE: "neutral",
} as const satisfies Record<string, BadgeTone>;

const labels = {
  PASSED: "Passed",
  WARNING: "Warning",
  FAILED: "Failed",
  RUNNING: "Running",
  SKIPPED: "Skipped",
  NONE: "Not checked",
} as const;

export type Outcome = keyof typeof tones;

export function OutcomeBadge({ outcome }: { outcome: Outcome | null }) {
  const key = outcome ?? "NONE";
  return <Badge tone={tones[key]}>{labels[key]}</Badge>;
}
