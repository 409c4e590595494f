/**
 * Dataverse Web API response conventions (docs/protocol/dataverse.md B3, B6): `OData-Version: 4.0`,
 * `Content-Type: application/json; odata.metadata=minimal`, `@odata.context`, errors as
 * `{"error":{"code":"0x…","message":"…"}}`, creates as 204 + `OData-EntityId`.
 */
import { randomGuid } from "../guid";
import { annotateError } from "./annotations";
import { annotationFilter } from "./prefer";
import type { DataverseErrorInstance } from "../errors";
import type { EmulatorResponse, HeaderValue } from "../http";

export const ODATA_JSON = "application/json; odata.metadata=minimal";

export function odataHeaders(extra: Record<string, HeaderValue> = {}): Record<string, HeaderValue> {
  return {
    "odata-version": "4.0",
    req_id: randomGuid(),
    "x-ms-service-request-id": randomGuid(),
    ...extra,
  };
}

export function odataJson(status: number, body: unknown, extra: Record<string, HeaderValue> = {}): EmulatorResponse {
  return { status, headers: odataHeaders({ "content-type": ODATA_JSON, ...extra }), body: JSON.stringify(body) };
}

export function odataNoContent(extra: Record<string, HeaderValue> = {}): EmulatorResponse {
  return { status: 204, headers: odataHeaders(extra), body: "" };
}

/** The error response; with the request's `Prefer` header, the annotations it asks for (annotations.ts). */
export function odataError(
  instance: DataverseErrorInstance,
  extra: Record<string, HeaderValue> = {},
  prefer?: string,
): EmulatorResponse {
  return odataJson(instance.status, annotateError(instance, annotationFilter(prefer)), extra);
}
