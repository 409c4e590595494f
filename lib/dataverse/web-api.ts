import "server-only";

// The few Dataverse Web API calls the portal makes (docs/protocol/dataverse.md B2–B6), over the outbound client.
import { randomUUID } from "node:crypto";
import { parseBearerChallenge, type DataverseChallenge } from "@/lib/dataverse/challenge";
import { outboundFetch } from "@/lib/http/outbound";

export const WEB_API_PATH = "/api/data/v9.2";

const ODATA_HEADERS = {
  Accept: "application/json",
  "OData-MaxVersion": "4.0",
  "OData-Version": "4.0",
  "If-None-Match": "null",
};

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

export function dataverseErrorFrom(status: number, headers: Headers, body: unknown): DataverseError {
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

/** JSON of an answer body, or null when it is empty or not JSON. */
export async function readJson(text: string): Promise<unknown> {
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
  if (!response.ok) throw dataverseErrorFrom(response.status, response.headers as unknown as Headers, body);
  return body as T;
}

/** Most pages one query may take: 100 pages of 5,000 rows is far beyond anything the portal reads. */
const MAX_PAGES = 100;

/** `<org>.api.<region>…` and `<org>.<region>…` name the same environment (docs/protocol/dataverse.md B1). */
const sameEnvironmentHost = (a: URL, b: URL) => {
  const plain = (u: URL) => u.host.toLowerCase().replace(/^([^.]+)\.api\./, "$1.");
  return a.protocol === b.protocol && plain(a) === plain(b);
};

/**
 * Every row of a collection query, following `@odata.nextLink` to the last page (docs/protocol/dataverse.md
 * "Paging"): Dataverse answers at most 5,000 rows per page whatever the query says, so a query that can match more
 * than one page must be followed. The link is requested as Dataverse wrote it, and only when it stays on this
 * environment's Web API: the bearer token never goes anywhere else. `retry` wraps each page's request (e.g. to
 * honour a 429's Retry-After).
 */
export async function getAllPages<T>(
  environmentUrl: string,
  accessToken: string,
  pathAndQuery: string,
  options: { retry?: <R>(request: () => Promise<R>) => Promise<R> } = {},
): Promise<T[]> {
  const environment = new URL(environmentUrl);
  const rows: T[] = [];
  const seen = new Set<string>();
  let url: string | null = `${environmentUrl}${WEB_API_PATH}/${pathAndQuery}`;
  for (let page = 1; url; page++) {
    if (page > MAX_PAGES)
      throw new DataverseProtocolError(
        `Dataverse answered more than ${MAX_PAGES} pages for one query.`,
        200,
        url.slice(0, 500),
      );
    seen.add(url);
    const target: string = url;
    const { status, text } = await (options.retry ?? ((request) => request()))(async () => {
      const response = await outboundFetch("dataverse", target, {
        headers: { ...ODATA_HEADERS, Authorization: `Bearer ${accessToken}` },
      });
      const body = await response.text();
      if (!response.ok)
        throw dataverseErrorFrom(response.status, response.headers as unknown as Headers, await readJson(body));
      return { status: response.status, text: body };
    });
    const body = (await readJson(text)) as { value?: unknown; "@odata.nextLink"?: unknown } | null;
    if (!Array.isArray(body?.value))
      throw new DataverseProtocolError(
        "Dataverse answered a query with something that is not a list of rows.",
        status,
        text.slice(0, 500),
      );
    rows.push(...(body.value as T[]));
    const next = body["@odata.nextLink"];
    if (next === undefined || next === null) return rows;
    const nextUrl = typeof next === "string" && URL.canParse(next) ? new URL(next) : null;
    if (!nextUrl || !sameEnvironmentHost(nextUrl, environment) || !nextUrl.pathname.startsWith(`${WEB_API_PATH}/`)) {
      throw new DataverseProtocolError(
        "Dataverse's link to the next page does not point at this environment's Web API.",
        status,
        String(next).slice(0, 500),
      );
    }
    if (seen.has(nextUrl.href))
      throw new DataverseProtocolError(
        "Dataverse's link to the next page points back at a page already read.",
        status,
        nextUrl.href.slice(0, 500),
      );
    url = nextUrl.href;
  }
  return rows;
}

export type JsonAnswer = { status: number; body: unknown; entityId: string | null };

/**
 * One Web API request with a JSON body (creates, actions, associations) or none. A 2xx answer comes back with
 * its body and the `OData-EntityId` of a created record; anything else throws DataverseError.
 */
export async function sendJson(
  environmentUrl: string,
  accessToken: string,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  pathAndQuery: string,
  body?: unknown,
): Promise<JsonAnswer> {
  const response = await outboundFetch("dataverse", `${environmentUrl}${WEB_API_PATH}/${pathAndQuery}`, {
    method,
    headers: {
      ...ODATA_HEADERS,
      Authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = await readJson(await response.text());
  if (!response.ok) throw dataverseErrorFrom(response.status, response.headers as unknown as Headers, parsed);
  return { status: response.status, body: parsed, entityId: response.headers.get("odata-entityid") };
}

/** Dataverse answered something the portal cannot read: not JSON, a truncated or malformed multipart body. */
export class DataverseProtocolError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
    /** The start of what came back, for support staff. */
    readonly excerpt: string,
  ) {
    super(message);
    this.name = "DataverseProtocolError";
  }
}

export type BatchPart = { status: number; body: unknown; error: DataverseError | null };

export type BatchAnswer = {
  status: number;
  /** One entry per request, in request order; null where Dataverse sent no answer for it. */
  parts: Array<BatchPart | null>;
  preferenceApplied: string | null;
};

/**
 * Several GETs in one round trip (docs/protocol/dataverse.md "$batch"). With `continueOnError` the portal
 * sends `Prefer: odata.continue-on-error`: Dataverse runs every request and answers 200, each part with its
 * own status. Without it Dataverse stops at the first failure and answers the whole batch with that
 * request's status, the multipart body holding its error: the parts are parsed whatever the status.
 * An answer that is not multipart (a 401 challenge, a 403 for an unknown application user, a 429) throws
 * the DataverseError it carries; an unreadable one throws DataverseProtocolError.
 */
export async function batchGet(
  environmentUrl: string,
  accessToken: string,
  paths: string[],
  options: { continueOnError: boolean },
): Promise<BatchAnswer> {
  const boundary = `batch_${randomUUID()}`;
  const body =
    paths
      .map((p, i) =>
        [
          `--${boundary}`,
          "Content-Type: application/http",
          "Content-Transfer-Encoding: binary",
          `Content-ID: ${i + 1}`,
          "",
          `GET ${WEB_API_PATH}/${p} HTTP/1.1`,
          "Accept: application/json",
          "",
          "",
        ].join("\r\n"),
      )
      .join("") + `--${boundary}--\r\n`;
  const response = await outboundFetch("dataverse", `${environmentUrl}${WEB_API_PATH}/$batch`, {
    method: "POST",
    headers: {
      ...ODATA_HEADERS,
      Authorization: `Bearer ${accessToken}`,
      "Content-Type": `multipart/mixed; boundary="${boundary}"`,
      ...(options.continueOnError ? { Prefer: "odata.continue-on-error" } : {}),
    },
    body,
  });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  if (!/^multipart\/mixed/i.test(contentType)) {
    const json = await readJson(text);
    if (!response.ok) throw dataverseErrorFrom(response.status, response.headers as unknown as Headers, json);
    throw new DataverseProtocolError(
      `$batch answered ${response.status} with ${contentType || "no content type"} instead of multipart/mixed`,
      response.status,
      text.slice(0, 500),
    );
  }
  const answered = await parseBatchResponse(contentType, text, response.status);
  const parts: Array<BatchPart | null> = paths.map(() => null);
  answered.forEach((part, position) => {
    // Content-ID maps a part to its request; without it, parts come back in request order.
    const index = part.contentId !== null ? Number(part.contentId) - 1 : position;
    if (Number.isInteger(index) && index >= 0 && index < parts.length)
      parts[index] = { status: part.status, body: part.body, error: part.error };
  });
  if (response.ok && parts.some((p) => p === null)) {
    throw new DataverseProtocolError(
      `$batch answered ${answered.length} parts for ${paths.length} requests`,
      response.status,
      text.slice(0, 500),
    );
  }
  return { status: response.status, parts, preferenceApplied: response.headers.get("preference-applied") };
}

// Hand-written because no maintained npm package parses OData multipart/mixed batch responses; the format
// is small: parts split by the boundary, each an embedded HTTP response (status line, headers, body).
// Strict: a body without its closing delimiter, or a part without an HTTP status line, is unreadable.
export async function parseBatchResponse(
  contentType: string,
  text: string,
  httpStatus = 200,
): Promise<Array<BatchPart & { contentId: string | null }>> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const unreadable = (why: string) =>
    new DataverseProtocolError(`$batch answer ${why}`, httpStatus, text.slice(0, 500));
  if (!boundary) throw unreadable("has no multipart boundary");
  const closing = `--${boundary}--`;
  if (!text.trimEnd().endsWith(closing)) throw unreadable("is truncated (no closing delimiter)");
  const chunks = text.split(`--${boundary}`).slice(1);
  const parts: Array<BatchPart & { contentId: string | null }> = [];
  for (const chunk of chunks) {
    if (chunk.startsWith("--")) break;
    const http = chunk.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
    // http[0]: part headers; http[1]: status line + response headers; rest: body
    const partHeaders = http[0] ?? "";
    const head = http[1] ?? "";
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(head.trimStart());
    if (!statusLine) throw unreadable("has a part without an HTTP status line");
    const status = Number(statusLine[1]);
    const headers = new Headers();
    for (const line of head.split(/\r?\n/).slice(1)) {
      const i = line.indexOf(":");
      if (i > 0) headers.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const bodyText = http.slice(2).join("\r\n\r\n").trim();
    const body = await readJson(bodyText);
    if (bodyText && body === null) throw unreadable(`has a part whose body is not JSON (HTTP ${status})`);
    const contentId = /^content-id:\s*(\S+)/im.exec(partHeaders)?.[1] ?? null;
    parts.push({ status, body, error: status >= 400 ? dataverseErrorFrom(status, headers, body) : null, contentId });
  }
  if (parts.length === 0) throw unreadable("has no parts");
  return parts;
}
