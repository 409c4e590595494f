import "server-only";

// RFC 9457 problem details, the one error shape of /api/v1. Every refusal the API documents is built here.
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export type ProblemKind =
  | "invalid-request"
  | "unauthenticated"
  | "invalid-token"
  | "insufficient-role"
  | "not-found"
  | "rate-limited"
  | "not-configured"
  | "method-not-allowed";

export const PROBLEM_TITLES: Record<ProblemKind, string> = {
  "invalid-request": "The request is not valid",
  unauthenticated: "An access token is required",
  "invalid-token": "The access token is not valid",
  "insufficient-role": "The calling application lacks the required application role",
  "not-found": "No such connection",
  "rate-limited": "Too many requests",
  "not-configured": "The API is not configured",
  "method-not-allowed": "Method not allowed",
};

export const problemType = (kind: ProblemKind) => `urn:tenant-onboarding-portal:problem:${kind}`;

export function problemResponse(
  status: number,
  kind: ProblemKind,
  detail: string,
  options: { invalidParams?: Array<{ name: string; reason: string }>; headers?: Record<string, string> } = {},
): Response {
  const body = {
    type: problemType(kind),
    title: PROBLEM_TITLES[kind],
    status,
    detail,
    ...(options.invalidParams ? { invalidParams: options.invalidParams } : {}),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store", ...options.headers },
  });
}
