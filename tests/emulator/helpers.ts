/**
 * Test plumbing for the emulator tests: an undici dispatcher that resolves *.localhost to loopback,
 * form/JSON helpers, and a tiny "browser" that follows the emulated sign-in pages by submitting
 * their forms (what a Playwright test does by clicking the accessible buttons).
 */
import { Agent, fetch } from "undici";
import type { Response } from "undici";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { loopbackAgentOptions, type EmulatorHandle } from "@tenant-onboarding/emulator";

export const dispatcher = new Agent(loopbackAgentOptions());

export function vfetch(url: string, init: Parameters<typeof fetch>[1] = {}): Promise<Response> {
  return fetch(url, { redirect: "manual", ...init, dispatcher });
}

export function formBody(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.set(k, v);
  return params.toString();
}

export async function postForm(
  url: string,
  fields: Record<string, string | undefined>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return vfetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: formBody(fields),
  });
}

export interface TokenResult {
  status: number;
  body: Record<string, unknown>;
  headers: Response["headers"];
}

export async function tokenRequest(
  emu: EmulatorHandle,
  tenant: string,
  fields: Record<string, string | undefined>,
  headers: Record<string, string> = {},
): Promise<TokenResult> {
  const response = await postForm(`${emu.authorityHost}/${tenant}/oauth2/v2.0/token`, fields, headers);
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

export function secretOf(emu: EmulatorHandle): string {
  const secret = emu.scenario.app.secrets[0];
  if (!secret) throw new Error("scenario has no secret");
  return secret.value;
}

export async function appToken(emu: EmulatorHandle, tenantId: string, envName: string): Promise<string> {
  const result = await tokenRequest(emu, tenantId, {
    grant_type: "client_credentials",
    client_id: emu.scenario.app.clientId,
    client_secret: secretOf(emu),
    scope: `${emu.environmentUrl(envName)}/.default`,
  });
  if (result.status !== 200) throw new Error(`token request failed: ${JSON.stringify(result.body)}`);
  return result.body.access_token as string;
}

export function tenantId(emu: EmulatorHandle, displayName: string): string {
  const tenant = emu.scenario.tenants.find((t) => t.displayName === displayName);
  if (!tenant) throw new Error(`no tenant ${displayName}`);
  return tenant.id;
}

export function claimsOf(token: string): Record<string, unknown> {
  return decodeJwt(token) as Record<string, unknown>;
}

export function headerOf(token: string): Record<string, unknown> {
  return decodeProtectedHeader(token) as Record<string, unknown>;
}

export async function dataverse(
  emu: EmulatorHandle,
  envName: string,
  path: string,
  token: string | undefined,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; api?: boolean } = {},
): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Response["headers"] }> {
  const headers: Record<string, string> = {
    accept: "application/json",
    "odata-version": "4.0",
    "odata-maxversion": "4.0",
    ...init.headers,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await vfetch(`${emu.environmentUrl(envName, { api: init.api ?? false })}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: response.status, json, text, headers: response.headers };
}

export function errorOf(json: Record<string, unknown>): { code: string; message: string } {
  return (json.error ?? { code: "", message: "" }) as { code: string; message: string };
}

// ------------------------------------------------------------------ a minimal browser

interface ParsedForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  buttons: { name: string; value: string; label: string }[];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export function parseForm(html: string): ParsedForm {
  const form =
    /<form[^>]*method="(\w+)"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html) ??
    /<form[^>]*action="([^"]*)"[^>]*method="(\w+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form in page: ${html.slice(0, 400)}`);
  const method = /method="(\w+)"/i.exec(form[0])?.[1] ?? "post";
  const action = decodeEntities(/action="([^"]*)"/i.exec(form[0])?.[1] ?? "");
  const inner = form[3] ?? "";
  const fields: Record<string, string> = {};
  for (const input of inner.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[decodeEntities(input[1] ?? "")] = decodeEntities(input[2] ?? "");
  const buttons = [
    ...inner.matchAll(
      /<button type="submit"(?: class="\w+")? name="([^"]+)" value="([^"]*)"(?: aria-label="[^"]*")?>([\s\S]*?)<\/button>/g,
    ),
  ].map((b) => ({
    name: decodeEntities(b[1] ?? ""),
    value: decodeEntities(b[2] ?? ""),
    label: decodeEntities((b[3] ?? "").replace(/<span[^>]*>[\s\S]*?<\/span>/g, "").trim()),
  }));
  return { action, method, fields, buttons };
}

export interface BrowserStep {
  status: number;
  /** Set when the step ended in a redirect to the client application. */
  location?: string;
  html?: string;
  /** The emulator URL of a page shown. */
  url?: string;
}

/** Follows the sign-in UI like a user would; keeps the emulator's session cookie. */
export class Browser {
  private cookie: string | undefined;

  constructor(private readonly emu: EmulatorHandle) {}

  private remember(response: Response): void {
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0];
  }

  /** Follows redirects that stay on the emulator (like a browser); stops at the client's redirect URI. */
  private async settle(response: Response, from: string): Promise<BrowserStep> {
    this.remember(response);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, from);
      if (next.origin === new URL(this.emu.authorityHost).origin) return this.open(next.toString());
      return { status: response.status, location: next.toString(), html: await response.text() };
    }
    return { status: response.status, html: await response.text(), url: from };
  }

  async open(url: string): Promise<BrowserStep> {
    const response = await vfetch(url, { headers: this.cookie ? { cookie: this.cookie } : {} });
    return this.settle(response, url);
  }

  /** Clicks the button whose accessible name starts with `label` on the current page. */
  async click(page: BrowserStep, label: string, extraFields: Record<string, string> = {}): Promise<BrowserStep> {
    if (!page.html) throw new Error("no page");
    const form = parseForm(page.html);
    const button = form.buttons.find((b) => b.label.startsWith(label));
    if (!button) throw new Error(`no button '${label}' among: ${form.buttons.map((b) => b.label).join(" | ")}`);
    const url = new URL(form.action, this.emu.authorityHost).toString();
    const response = await postForm(
      url,
      { ...form.fields, ...extraFields, [button.name]: button.value },
      this.cookie ? { cookie: this.cookie } : {},
    );
    return this.settle(response, url);
  }

  buttonLabels(page: BrowserStep): string[] {
    return page.html ? parseForm(page.html).buttons.map((b) => b.label) : [];
  }
}

/** Query parameters of a redirect (or of a form_post page's hidden fields). */
export function resultParams(step: BrowserStep): URLSearchParams {
  if (step.location) {
    const url = new URL(step.location);
    return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
  }
  if (step.html) return new URLSearchParams(parseForm(step.html).fields);
  throw new Error("no result");
}

export const REDIRECT_URI = "http://localhost:3000/api/auth/callback/microsoft-entra-id";
