// Where to send someone after sign-in: only a path on this site (never "//evil.example" or a full URL).
export function safeReturnPath(value: unknown, fallback = "/onboarding"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return fallback;
  if (value.length > 512 || [...value].some((ch) => ch.charCodeAt(0) < 0x20)) return fallback;
  return value;
}
