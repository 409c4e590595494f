// Signs a user in to a running portal through the emulator's sign-in pages, with plain HTTP requests: next-auth's
// sign-in endpoint, the emulator's account picker (and its consent screen, the first time), the callback. Returns
// the portal's cookies, as a browser would hold them, for load generators that send one Cookie header.
import { Agent, fetch, type Response } from "undici";
import { loopbackAgentOptions } from "@tenant-onboarding/emulator";

// The emulator's hosts are *.localhost, which Node does not resolve by itself.
const dispatcher = new Agent(loopbackAgentOptions());

class CookieJar {
  private readonly cookies = new Map<string, string>();

  keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      // A cookie set to expire (or emptied) is gone.
      if (value === "" || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The emulator page's form: its action, hidden fields, and the submit button whose label contains `label`. */
function submission(html: string, pageUrl: string, label: RegExp): { url: string; fields: URLSearchParams } | null {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(decode(input[1]!), decode(input[2]!));
  const button = [
    ...form[2]!.matchAll(/<button type="submit"[^>]*? name="([^"]+)" value="([^"]*)"[^>]*>([\s\S]*?)<\/button>/g),
  ].find((b) => label.test(decode(b[3]!)));
  if (!button) return null;
  fields.set(decode(button[1]!), decode(button[2]!));
  return { url: new URL(decode(form[1]!), pageUrl).toString(), fields };
}

/**
 * Signs `upn` in at `origin` (the portal) and returns its Cookie header. The emulator keeps its own cookies (its
 * sign-in session); the portal's are the ones returned.
 */
export async function signInThroughEmulator(origin: string, upn: string, returnTo = "/onboarding"): Promise<string> {
  const portal = new CookieJar();
  const microsoft = new CookieJar();
  const atPortal = async (url: string, init: { method?: string; body?: URLSearchParams } = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      dispatcher,
      headers: {
        cookie: portal.header(),
        ...(init.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
    });
    portal.keep(response);
    return response;
  };
  const atMicrosoft = async (url: string, init: { method?: string; body?: URLSearchParams } = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      dispatcher,
      headers: {
        cookie: microsoft.header(),
        ...(init.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
    });
    microsoft.keep(response);
    return response;
  };

  const { csrfToken } = (await (await atPortal(`${origin}/api/auth/csrf`)).json()) as { csrfToken: string };
  const start = await atPortal(`${origin}/api/auth/signin/microsoft-entra-id`, {
    method: "POST",
    body: new URLSearchParams({ csrfToken, callbackUrl: `${origin}${returnTo}` }),
  });
  let location = start.headers.get("location");
  if (start.status !== 302 || !location) throw new Error(`the portal's sign-in answered ${start.status}`);
  // Through Microsoft's pages (redirects that stay there are followed), until it sends the browser back to the portal.
  let page: { url: string; html: string } | null = null;
  for (let step = 0; step < 12; step++) {
    if (location && new URL(location).origin === origin) {
      const callback = await atPortal(location);
      await callback.text();
      if (
        !portal.has("authjs.session-token") &&
        !portal.has("__Secure-authjs.session-token") &&
        !portal.has("__Host-authjs.session-token")
      ) {
        throw new Error(
          `the portal's callback answered ${callback.status} without a session (${callback.headers.get("location")})`,
        );
      }
      return portal.header();
    }
    let response: Response;
    let from: string;
    if (location) {
      from = location;
      response = await atMicrosoft(location);
    } else {
      // The account picker (this user's button), then the consent screen if Microsoft shows one.
      const account = submission(page!.html, page!.url, new RegExp(`\\(${upn.replace(/[.]/g, "\\.")}\\)`));
      const next = account ?? submission(page!.html, page!.url, /^Accept$/);
      if (!next) throw new Error(`no way on from the emulator's page ${page!.url}: ${page!.html.slice(0, 300)}`);
      from = next.url;
      response = await atMicrosoft(next.url, { method: "POST", body: next.fields });
    }
    const redirect = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && redirect) {
      await response.text();
      location = new URL(redirect, from).toString();
      page = null;
    } else if (response.status === 200) {
      page = { url: from, html: await response.text() };
      location = null;
    } else {
      throw new Error(`the emulator answered ${response.status} at ${from}: ${(await response.text()).slice(0, 300)}`);
    }
  }
  throw new Error("the sign-in did not come back to the portal");
}
