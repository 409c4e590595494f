// Classifies what Microsoft sent back to the admin-consent redirect URI (docs/protocol/entra.md A3.1, A2, A5). Pure.

export type ConsentCallbackOutcome =
  | { kind: "granted"; tenant: string | null }
  | { kind: "cancelled" | "declined" | "not-admin" | "error"; code: string | null; description: string | null };

// PostgreSQL text cannot hold U+0000: drop it, the rest of the answer is still worth recording.
const first = (v: string | null) => (v && v.length <= 2000 ? v.replaceAll("\u0000", "") || null : null);

export function classifyConsentCallback(params: URLSearchParams): ConsentCallbackOutcome {
  const error = first(params.get("error"));
  const description = first(params.get("error_description"));
  const aadsts = description ? (/AADSTS(\d+)/.exec(description)?.[1] ?? null) : null;
  const code = aadsts ? `AADSTS${aadsts}` : error;
  // Only the first line of the description is shown; the rest is trace data.
  const shortDescription = description ? description.split(/\r?\n/)[0]!.slice(0, 300) : null;
  if (error) {
    if (error === "access_denied" && params.get("error_subcode") === "cancel")
      return { kind: "cancelled", code, description: shortDescription };
    if (aadsts === "90094" || aadsts === "90095") return { kind: "not-admin", code, description: shortDescription };
    if (aadsts === "65004" || error === "consent_required")
      return { kind: "declined", code, description: shortDescription };
    return { kind: "error", code, description: shortDescription };
  }
  if ((params.get("admin_consent") ?? "").toLowerCase() === "true")
    return { kind: "granted", tenant: first(params.get("tenant"))?.toLowerCase() ?? null };
  return { kind: "error", code: "no_result", description: "Microsoft returned neither a result nor an error." };
}
