import { LocalTime } from "@/components/ui/local-time";

// An audit event's details as labelled values, not JSON: nested objects (e.g. an export's filters) become
// "filters · stage: failing". Values are the recorded text, shown as such.

function flatten(value: unknown, prefix = ""): Array<[string, string]> {
  if (value === null || value === undefined) return [];
  if (typeof value !== "object") return [[prefix || "value", String(value)]];
  if (Array.isArray(value))
    return [[prefix || "values", value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ")]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    flatten(v, prefix ? `${prefix} · ${k}` : k),
  );
}

/** A recorded timestamp (ISO 8601 with a time) is shown as every date is: <LocalTime>, never ISO. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const words = (key: string) =>
  key
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();

export function AuditDetails({ details }: { details: unknown }) {
  const entries = flatten(details);
  if (entries.length === 0) return null;
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-700">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-slate-600">{words(key)}</dt>
          <dd className="break-all" data-detail={key}>
            {ISO_TIMESTAMP.test(value) ? <LocalTime date={value} /> : value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
