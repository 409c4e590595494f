import "server-only";

// The few Dataverse Web API calls the portal makes (reference B2–B6), over the outbound client.
import { randomUUID } from "node:crypto";
import { parseBearerChallenge, type DataverseChallenge } from "@/lib/dataverse/challenge";
import { outboundFetch } from "@/lib/http/outbound";

export const WEB_API_PATH = "/api/data/v9.2";

const ODATA_HEADERS = { Accept: "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0", "If-None-Match": "null" };

/** An error answer from Dataverse: {"error":{"code":"0x…","message":"…"}} plus Retry-After on 429. */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly serverMessage: string | null,
    readonly retryAfterSeconds: number | null,
    readonly requestId: string | null,
  ) {
    super(`Dataverse answered ${status}${code ? ` ${code}` : ""}${serverMessage ? `: ${serverMessage}` : ""}`);
    this.name = "DataverseError";
  }
}

export type ProbeResult = { kind: "challenge"; challenge: DataverseChallenge } | { kind: "unexpected"; status: number };

/** Unauthenticated GET: Dataverse answers 401 with a bearer challenge naming the environment's tenant (B2). */
export async function probeEnvironment(environmentUrl: string): Promise<ProbeResult> {
  const response = await outboundFetch("dataverse", `${environmentUrl}${WEB_API_PATH}/`, { headers: ODATA_HEADERS });
  await response.body?.cancel();
  if (response.status === 401) {
    const challenge = parseBearerChallenge(response.headers.get("www-authenticate"));
    if (challenge) return { kind: "challenge", challenge };
  }
  return { kind: "unexpected", status: response.status };
}

function errorFrom(status: number, headers: Headers, body: unknown): DataverseError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const retryAfterHeader = headers.get("retry-after");
  const retryAfter = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  return new DataverseError(
    status,
    typeof error?.code === "string" && error.code ? error.code : null,
    typeof error?.message === "string" ? error.message : null,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
    headers.get("x-ms-service-request-id") ?? headers.get("req_id") ?? null,
  );
}

async function readJson(text: string): Promise<unknown> {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export async function getJson<T>(environmentUrl: string, accessToken: string, pathAndQuery: string): Promise<T> {
  const response = await outboundFetch("dataverse", `${environmentUrl}${WEB_API_PATH}/${pathAndQuery}`, {
    headers: { ...ODATA_HEADERS, Authorization: `Bearer ${accessToken}` },
  });
  const body = await readJson(await response.text());
  if (!response.ok) throw errorFrom(response.status, response.headers as unknown as Headers, body);
  return body as T;
}

export type BatchPart = { status: number; body: unknown; error: DataverseError | null };

/**
 * Several GETs in one round trip (B5). Each part is answered on its own: a 403 on one read does not fail the
 * others. A failure of the whole batch (401, 429) throws.
 */
export async function batchGet(environmentUrl: string, accessToken: string, paths: string[]): Promise<BatchPart[]> {
  const boundary = `batch_${randomUUID()}`;
  const body =
    paths
      .map((p) =>
        [`--${boundary}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `GET ${WEB_API_PATH}/${p} HTTP/1.1`, "Accept: application/json", "", ""].join("\r\n"),
      )
      .join("") + `--${boundary}--\r\n`;
  const response = await outboundFetch("dataverse", `${environmentUrl}${WEB_API_PATH}/$batch`, {
    method: "POST",
    headers: { ...ODATA_HEADERS, Authorization: `Bearer ${accessToken}`, "Content-Type": `multipart/mixed; boundary="${boundary}"` },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw errorFrom(response.status, response.headers as unknown as Headers, await readJson(text));
  const parts = await parseBatchResponse(response.headers.get("content-type") ?? "", text);
  if (parts.length !== paths.length) throw new DataverseError(502, null, `$batch answered ${parts.length} parts for ${paths.length} requests`, null, null);
  return parts;
}

// Hand-written because no maintained npm package parses OData multipart/mixed batch responses; the format
// is small: parts split by the boundary, each an embedded HTTP response (status line, headers, body).
export async function parseBatchResponse(contentType: string, text: string): Promise<BatchPart[]> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new DataverseError(502, null, "$batch answer has no multipart boundary", null, null);
  const chunks = text.split(`--${boundary}`).slice(1);
  const parts: BatchPart[] = [];
  for (const chunk of chunks) {
    if (chunk.startsWith("--")) break;
    const http = chunk.split(/\r?\n\r?\n/);
    // http[0]: part headers; http[1]: status line + response headers; rest: body
    const head = http[1] ?? "";
    const statusLine = /HTTP\/1\.1 (\d{3})/.exec(head);
    if (!statusLine) continue;
    const status = Number(statusLine[1]);
    const headerLines = head.split(/\r?\n/).slice(1);
    const headers = new Headers();
    for (const line of headerLines) {
      const i = line.indexOf(":");
      if (i > 0) headers.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const bodyText = http.slice(2).join("\r\n\r\n").trim();
    const body = await readJson(bodyText);
    parts.push({ status, body, error: status >= 400 ? errorFrom(status, headers, body) : null });
  }
  return parts;
}
