import "server-only";

// Entra ID error answers (docs/protocol/entra.md A4): {"error","error_description":"AADSTSnnn: …\r\nTrace ID: …","error_codes":[…],
// "trace_id","correlation_id","timestamp"}. MSAL keeps only part of it, so the network module hands us the raw
// body, kept per async context (one connection check), for support staff.
import { AsyncLocalStorage } from "node:async_hooks";

export type EntraErrorDetail = {
  httpStatus: number;
  error: string | null;
  aadstsCode: number | null;
  description: string | null;
  traceId: string | null;
  correlationId: string | null;
  timestamp: string | null;
};

const lastError = new AsyncLocalStorage<{ detail: EntraErrorDetail | null }>();

export function withEntraErrorCapture<T>(run: () => Promise<T>): Promise<T> {
  return lastError.run({ detail: null }, run);
}

export function capturedEntraError(): EntraErrorDetail | null {
  return lastError.getStore()?.detail ?? null;
}

/** Forgets the captured answer (before a request is sent again with another credential). */
export function clearCapturedEntraError(): void {
  const store = lastError.getStore();
  if (store) store.detail = null;
}

const str = (v: unknown) => (typeof v === "string" ? v : null);

export function parseEntraErrorBody(status: number, body: unknown): EntraErrorDetail {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const description = str(b.error_description);
  const codes = Array.isArray(b.error_codes) ? b.error_codes.filter((c): c is number => typeof c === "number") : [];
  const fromText = description ? /AADSTS(\d+)/.exec(description)?.[1] : undefined;
  return {
    httpStatus: status,
    error: str(b.error),
    aadstsCode: codes[0] ?? (fromText ? Number(fromText) : null),
    // Only the first line: the rest repeats the trace and correlation ids kept below.
    description: description ? description.split(/\r?\n/)[0]!.trim() : null,
    traceId: str(b.trace_id),
    correlationId: str(b.correlation_id),
    timestamp: str(b.timestamp),
  };
}

/** Hands an error answer captured in another call's context (a shared token request) to this caller's capture. */
export function rememberEntraErrorDetail(detail: EntraErrorDetail): void {
  const store = lastError.getStore();
  if (store) store.detail = detail;
}

export function rememberEntraError(status: number, body: unknown): void {
  const store = lastError.getStore();
  if (store) store.detail = parseEntraErrorBody(status, body);
}
