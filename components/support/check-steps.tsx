// A connection check's steps as support staff see them: the customer's explanation plus the vendor-side
// detail (AADSTS code, Dataverse error code, trace and correlation ids, timings). Hook-free, so both the
// server-rendered history and the live re-run (a client component) use it.
import { OutcomeBadge, type Outcome } from "@/components/ui/outcome-badge";
import type { StepResult, VendorDetail as StoredVendorDetail } from "@/lib/checks/step-results";
import { staffStepLabel } from "@/lib/checks/vocabulary";

export type SupportStepView = {
  name: string;
  outcome: Outcome;
  durationMs: number;
  /** Microsoft's code. */
  errorCode: string | null;
  /** The portal's diagnosis id (lib/checks/diagnoses.ts). */
  diagnosis: string | null;
  customerCause: string | null;
  customerFix: string | null;
  /** The fault is ours (the ISV's credentials or registration): the customer was told to contact us. */
  vendorFault: boolean;
  /** Both read with their step's schema; null when there is none (or one an older version wrote in another shape). */
  vendorDetail: StoredVendorDetail | null;
  result: StepResult | null;
};

function skipReasonOf(step: SupportStepView): string | null {
  return step.outcome === "SKIPPED" && step.result && "reason" in step.result ? step.result.reason : null;
}

const detailLabels: Record<string, string> = {
  service: "Service",
  httpStatus: "HTTP status",
  error: "Error",
  aadstsCode: "AADSTS code",
  code: "Dataverse error code",
  description: "Description",
  message: "Message",
  traceId: "Trace id",
  correlationId: "Correlation id",
  requestId: "Request id",
  timestamp: "Timestamp",
  retryAfterSeconds: "Retry-After (s)",
  throttledWaitsSeconds: "Throttling waits (s)",
};

function detailValue(key: string, value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (key === "aadstsCode" && typeof value === "number") return `AADSTS${value}`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string" || typeof value === "number") return String(value);
  return JSON.stringify(value);
}

export function VendorDetail({ detail }: { detail: StoredVendorDetail | null }) {
  if (!detail) return null;
  const entries: Array<[string, unknown]> = Object.entries(detail);
  if (entries.length === 0) return null;
  return (
    <dl
      className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-700"
      aria-label="Vendor-side detail"
    >
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-sans font-medium text-slate-600">{detailLabels[key] ?? key}</dt>
          <dd className="break-all" data-detail={key}>
            {detailValue(key, value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function SupportCheckSteps({ steps }: { steps: SupportStepView[] }) {
  return (
    <ol className="mt-2 divide-y divide-slate-100" aria-label="Check steps">
      {steps.map((step) => (
        <li key={step.name} className="py-2" data-step={step.name} data-outcome={step.outcome}>
          <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span className="font-medium text-slate-900">
              {staffStepLabel(step.name)} <code className="ml-1 text-xs font-normal text-slate-600">{step.name}</code>
            </span>
            <span className="flex items-center gap-3 text-xs text-slate-600">
              {step.outcome !== "SKIPPED" ? <span>{step.durationMs} ms</span> : null}
              {step.vendorFault ? (
                <span className="rounded bg-red-100 px-1.5 py-0.5 font-semibold text-red-900">Our fault</span>
              ) : null}
              {step.diagnosis ? (
                <code className="rounded bg-slate-100 px-1.5 py-0.5 text-slate-700" title="The portal's diagnosis">
                  {step.diagnosis}
                </code>
              ) : null}
              {step.errorCode ? (
                <code className="rounded bg-slate-100 px-1.5 py-0.5 text-slate-700" title="Microsoft's code">
                  {step.errorCode}
                </code>
              ) : null}
              <OutcomeBadge outcome={step.outcome} />
            </span>
          </div>
          {skipReasonOf(step) ? <p className="mt-1 text-sm text-slate-600">{skipReasonOf(step)}</p> : null}
          {step.customerCause ? (
            <p className="mt-1 text-sm text-slate-700">
              <span className="font-medium">Customer sees:</span> {step.customerCause}
              {step.customerFix ? <span className="text-slate-600"> Fix: {step.customerFix}</span> : null}
            </p>
          ) : null}
          <VendorDetail detail={step.vendorDetail} />
        </li>
      ))}
    </ol>
  );
}
