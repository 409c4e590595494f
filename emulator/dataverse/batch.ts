/**
 * `POST /api/data/v9.x/$batch` (docs/protocol/dataverse.md B5): multipart/mixed in and out, change sets that are
 * atomic (all rolled back when one request fails), `Content-ID` references (`$1`) in URLs and
 * `@odata.bind` values, at most 1000 requests, no nested batches, no GET inside a change set.
 * By default processing stops at the first failure and the whole batch answers with that request's
 * status (4xx/5xx), the multipart body holding its error; `Prefer: odata.continue-on-error` processes
 * every request and answers 200 with `Preference-Applied` (docs/protocol/dataverse.md "$batch").
 * Every inner request is executed (and authorized) as the outer request's token.
 */
import { failDataverse } from "../errors";
import { randomGuid } from "../guid";
import type { EmulatorResponse } from "../http";
import type { Environment } from "../scenario";
import { odataHeaders } from "./responses";

export interface InnerRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export type InnerExecutor = (request: InnerRequest) => Promise<EmulatorResponse>;

const MAX_REQUESTS = 1000;

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/mixed/i.test(contentType.trim())) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

interface MimePart {
  headers: Record<string, string>;
  content: string;
}

function parseHeaderLines(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitMultipart(body: string, boundary: string): MimePart[] {
  const lines = body.split(/\r?\n/);
  const parts: string[][] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) {
      if (current) parts.push(current);
      closed = true;
      break;
    }
    if (trimmed === `--${boundary}`) {
      if (current) parts.push(current);
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (!closed) failDataverse("badRequest", { detail: `The batch body is not terminated by '--${boundary}--'.` });
  return parts.map((lines) => {
    const blank = lines.findIndex((l) => l.trim() === "");
    const headerLines = blank < 0 ? lines : lines.slice(0, blank);
    const contentLines = blank < 0 ? [] : lines.slice(blank + 1);
    return { headers: parseHeaderLines(headerLines), content: contentLines.join("\r\n") };
  });
}

interface ParsedHttpRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
  contentId?: string;
}

function parseHttpPart(part: MimePart): ParsedHttpRequest {
  if (!/^application\/http/i.test(part.headers["content-type"] ?? "")) {
    failDataverse("badRequest", {
      detail: "Each batch part must have Content-Type: application/http or be a change set (multipart/mixed).",
    });
  }
  const lines = part.content.split(/\r\n/);
  while (lines.length > 0 && (lines[0] ?? "").trim() === "") lines.shift();
  const requestLine = lines.shift() ?? "";
  const match = /^(GET|POST|PATCH|PUT|DELETE)\s+(\S+)(?:\s+HTTP\/1\.[01])?\s*$/i.exec(requestLine.trim());
  if (!match) failDataverse("badRequest", { detail: `The request line '${requestLine}' in the batch is not valid.` });
  const blank = lines.findIndex((l) => l.trim() === "");
  const headerLines = blank < 0 ? lines : lines.slice(0, blank);
  const bodyLines = blank < 0 ? [] : lines.slice(blank + 1);
  const headers = parseHeaderLines(headerLines);
  const contentId = part.headers["content-id"] ?? headers["content-id"];
  return {
    method: (match[1] ?? "GET").toUpperCase(),
    target: match[2] ?? "",
    headers,
    body: bodyLines.join("\r\n").trim(),
    ...(contentId !== undefined ? { contentId } : {}),
  };
}

function serializeResponse(response: EmulatorResponse, contentId: string | undefined): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}`.trimEnd());
  for (const [name, value] of Object.entries(response.headers)) {
    if (["req_id", "x-ms-service-request-id", "content-length"].includes(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${canonicalHeader(name)}: ${v}`);
  }
  lines.push("", typeof response.body === "string" ? response.body : response.body.toString("utf8"));
  return lines.join("\r\n");
}

function canonicalHeader(name: string): string {
  const special: Record<string, string> = {
    "odata-version": "OData-Version",
    "odata-entityid": "OData-EntityId",
    "www-authenticate": "WWW-Authenticate",
    "retry-after": "Retry-After",
  };
  return special[name] ?? name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => `${sep}${c.toUpperCase()}`);
}

type EnvSnapshot = Pick<Environment, "accounts" | "contacts" | "systemUsers" | "roles" | "businessUnits">;

function snapshot(env: Environment): EnvSnapshot {
  return structuredClone({
    accounts: env.accounts,
    contacts: env.contacts,
    systemUsers: env.systemUsers,
    roles: env.roles,
    businessUnits: env.businessUnits,
  });
}

function restore(env: Environment, saved: EnvSnapshot): void {
  env.accounts = saved.accounts;
  env.contacts = saved.contacts;
  env.systemUsers = saved.systemUsers;
  env.roles = saved.roles;
  env.businessUnits = saved.businessUnits;
}

export interface BatchInput {
  contentType: string | undefined;
  body: string;
  prefer: string | undefined;
  /** Service root of the outer request, e.g. https://contoso.crm.dynamics.localhost:44300/api/data/v9.2 */
  serviceRoot: string;
  env: Environment;
  /** Settings.stoppedBatchIncludesEarlierParts ([U]). */
  includeEarlierPartsWhenStopped: boolean;
}

export async function executeBatch(input: BatchInput, execute: InnerExecutor): Promise<EmulatorResponse> {
  const boundary = boundaryOf(input.contentType);
  if (!boundary)
    return failDataverse("badRequest", {
      detail: "The content type of a $batch request must be multipart/mixed with a boundary.",
    });
  const parts = splitMultipart(input.body, boundary);
  const continueOnError = /odata\.continue-on-error/i.test(input.prefer ?? "");
  const entityUrls = new Map<string, string>();
  const root = new URL(input.serviceRoot);

  const resolveTarget = (target: string): URL => {
    let text = target.replace(/^\$(\w+)/, (whole, id: string) => entityUrls.get(id) ?? whole);
    if (text.startsWith("$"))
      failDataverse("badRequest", {
        detail: `The Content-ID reference '${target}' is not defined in this change set.`,
      });
    if (/^https?:\/\//i.test(text)) return new URL(text);
    if (!text.startsWith("/")) text = `${root.pathname}/${text}`;
    return new URL(text, root.origin);
  };
  const resolveBody = (body: string): string =>
    body.replace(/"(\$\w+)"/g, (whole, ref: string) => {
      const url = entityUrls.get(ref.slice(1));
      return url ? JSON.stringify(url) : whole;
    });

  let count = 0;
  const runOne = async (request: ParsedHttpRequest): Promise<EmulatorResponse> => {
    count++;
    if (count > MAX_REQUESTS)
      failDataverse("badRequest", {
        detail: `The number of requests in a batch exceeds the limit of ${MAX_REQUESTS}.`,
      });
    if (/\$batch/i.test(request.target))
      failDataverse("badRequest", { detail: "Nested $batch requests are not supported." });
    const response = await execute({
      method: request.method,
      url: resolveTarget(request.target),
      headers: request.headers,
      body: resolveBody(request.body),
    });
    const entityId = response.headers["odata-entityid"];
    if (request.contentId !== undefined && typeof entityId === "string") entityUrls.set(request.contentId, entityId);
    return response;
  };

  const responseBoundary = `batchresponse_${randomGuid()}`;
  const chunks: string[] = [];
  /** Status of the request that stopped the batch (no continue-on-error), if one did. */
  let stoppedWith: number | undefined;
  for (const part of parts) {
    const changesetBoundary = boundaryOf(part.headers["content-type"]);
    if (changesetBoundary) {
      const inner = splitMultipart(part.content, changesetBoundary).map(parseHttpPart);
      if (inner.some((r) => r.method === "GET"))
        failDataverse("badRequest", { detail: "GET requests are not allowed inside a change set." });
      const saved = snapshot(input.env);
      const results: { response: EmulatorResponse; contentId: string | undefined }[] = [];
      let failed: EmulatorResponse | undefined;
      let failedContentId: string | undefined;
      for (const request of inner) {
        const response = await runOne(request);
        if (response.status >= 400) {
          failed = response;
          failedContentId = request.contentId;
          break;
        }
        results.push({ response, contentId: request.contentId });
      }
      if (failed) {
        // Atomic: undo the change set; the batch answers with the failing response alone.
        restore(input.env, saved);
        if (!continueOnError) {
          stoppedWith = failed.status;
          if (!input.includeEarlierPartsWhenStopped) chunks.length = 0;
          chunks.push(serializeResponse(failed, failedContentId));
          break;
        }
        chunks.push(serializeResponse(failed, failedContentId));
        continue;
      }
      const csBoundary = `changesetresponse_${randomGuid()}`;
      const csBody = results
        .map((r) => `--${csBoundary}\r\n${serializeResponse(r.response, r.contentId)}`)
        .join("\r\n");
      chunks.push(`Content-Type: multipart/mixed; boundary=${csBoundary}\r\n\r\n${csBody}\r\n--${csBoundary}--`);
      continue;
    }
    const request = parseHttpPart(part);
    const response = await runOne(request);
    if (response.status >= 400 && !continueOnError) {
      stoppedWith = response.status;
      if (!input.includeEarlierPartsWhenStopped) chunks.length = 0;
      chunks.push(serializeResponse(response, request.contentId));
      break;
    }
    chunks.push(serializeResponse(response, request.contentId));
  }
  const body = `${chunks.map((c) => `--${responseBoundary}\r\n${c}`).join("\r\n")}\r\n--${responseBoundary}--\r\n`;
  const headers = odataHeaders({ "content-type": `multipart/mixed; boundary=${responseBoundary}` });
  if (continueOnError) headers["preference-applied"] = "odata.continue-on-error";
  return { status: stoppedWith ?? 200, headers, body };
}
