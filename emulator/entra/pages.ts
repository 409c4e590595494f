/**
 * The browser-facing HTML of the emulated sign-in experience. Every control has an accessible name
 * a Playwright test can use: buttons "Sign in as <name> (<upn>)", "Cancel", "Accept".
 */
import { escapeHtml } from "../http";

const STYLE = `
  body { font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; margin: 0; color: #1b1b1b; }
  main { max-width: 440px; margin: 48px auto; background: #fff; padding: 36px 44px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  h1 { font-size: 24px; font-weight: 600; margin: 8px 0 16px; }
  .brand { font-weight: 600; color: #737373; font-size: 15px; }
  .note { font-size: 13px; color: #605e5c; }
  ul.accounts { list-style: none; padding: 0; margin: 0 0 16px; }
  ul.accounts li { margin: 0; border-top: 1px solid #e1dfdd; }
  ul.accounts button { width: 100%; text-align: left; background: none; border: 0; padding: 12px 8px; cursor: pointer; font-size: 15px; }
  ul.accounts button:hover { background: #f3f2f1; }
  .tenant { display: block; font-size: 12px; color: #605e5c; }
  .actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 20px; }
  .actions button { min-width: 108px; padding: 6px 12px; font-size: 15px; cursor: pointer; border: 1px solid #8a8886; background: #fff; }
  .actions button.primary { background: #0067b8; color: #fff; border-color: #0067b8; }
  .error { color: #a80000; }
  code { font-size: 12px; word-break: break-all; }
  ul.permissions li { margin-bottom: 6px; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<div class="brand">Microsoft (emulated)</div>
${body}
<p class="note">This is a local emulator of Microsoft Entra ID for development and tests. No real account is used.</p>
</main></body></html>`;
}

export interface PickerAccount {
  value: string;
  displayName: string;
  upn: string;
  tenantName: string;
}

export function accountPickerPage(input: {
  appName: string;
  formAction: string;
  transactionId: string;
  accounts: PickerAccount[];
  heading?: string;
}): string {
  const items = input.accounts
    .map(
      (a) =>
        `<li><button type="submit" name="account" value="${escapeHtml(a.value)}" aria-label="Sign in as ${escapeHtml(a.displayName)} (${escapeHtml(a.upn)})">Sign in as ${escapeHtml(a.displayName)} (${escapeHtml(a.upn)})<span class="tenant" aria-hidden="true">${escapeHtml(a.tenantName)}</span></button></li>`,
    )
    .join("\n");
  const empty = input.accounts.length === 0 ? `<p class="error">No account can sign in here.</p>` : "";
  return layout(
    "Sign in to your account",
    `<h1>${escapeHtml(input.heading ?? "Pick an account")}</h1>
<p>to continue to <strong>${escapeHtml(input.appName)}</strong></p>
<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="txn" value="${escapeHtml(input.transactionId)}">
<ul class="accounts" aria-label="Accounts">
${items}
</ul>
${empty}
<div class="actions"><button type="submit" name="action" value="cancel">Cancel</button></div>
</form>`,
  );
}

/**
 * The sign-in page refusing an account of the wrong kind for the authority (a personal account at
 * `organizations`): Microsoft's message in place, another account or cancel; nothing about the app.
 */
export function wrongAccountKindPage(input: {
  formAction: string;
  transactionId: string;
  upn: string;
  message: string;
}): string {
  return layout(
    "Sign in to your account",
    `<h1>Sign in</h1>
<p class="note">${escapeHtml(input.upn)}</p>
<p class="error" role="alert">${escapeHtml(input.message)}</p>
<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="txn" value="${escapeHtml(input.transactionId)}">
<div class="actions"><button type="submit" name="action" value="cancel">Cancel</button><button type="submit" class="primary" name="action" value="another">Use another account</button></div>
</form>`,
  );
}

export interface ConsentPermission {
  resource: string;
  description: string;
}

export function consentPage(input: {
  appName: string;
  publisherDomain: string | undefined;
  formAction: string;
  transactionId: string;
  userUpn: string;
  permissions: ConsentPermission[];
  /** "forced": admin consent flow; "optional": an admin may tick the box; "none": user consent only. */
  organizationConsent: "forced" | "optional" | "none";
}): string {
  const permissions = input.permissions
    .map((p) => `<li>${escapeHtml(p.description)} <span class="tenant">${escapeHtml(p.resource)}</span></li>`)
    .join("\n");
  const orgBox =
    input.organizationConsent === "optional"
      ? `<p><label><input type="checkbox" name="organization" value="on"> Consent on behalf of your organization</label></p>`
      : input.organizationConsent === "forced"
        ? `<input type="hidden" name="organization" value="on"><p>If you accept, this app will get access to the specified resources for all users in your organization. No one else will be prompted to review these permissions.</p>`
        : "";
  return layout(
    "Permissions requested",
    `<p class="note">${escapeHtml(input.userUpn)}</p>
<h1>Permissions requested${input.organizationConsent === "forced" ? "<br><small>Accept for your organization</small>" : ""}</h1>
<p><strong>${escapeHtml(input.appName)}</strong>${input.publisherDomain ? ` <span class="note">${escapeHtml(input.publisherDomain)}</span>` : ""}</p>
<p>This app would like to:</p>
<ul class="permissions">${permissions}</ul>
<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="txn" value="${escapeHtml(input.transactionId)}">
${orgBox}
<div class="actions"><button type="submit" name="decision" value="cancel">Cancel</button><button type="submit" class="primary" name="decision" value="accept">Accept</button></div>
</form>`,
  );
}

/** Entra's interrupt for a non-administrator at an admin-consent request. */
export function needAdminApprovalPage(input: {
  appName: string;
  formAction: string;
  transactionId: string;
  userUpn: string;
}): string {
  return layout(
    "Need admin approval",
    `<p class="muted">${escapeHtml(input.userUpn)}</p>
<h1>Need admin approval</h1>
<p>${escapeHtml(input.appName)} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="txn" value="${escapeHtml(input.transactionId)}">
<div class="actions">
<button type="submit" class="primary" name="action" value="admin">Sign in with an admin account</button>
<button type="submit" name="action" value="return">Return to the application without granting consent</button>
</div>
</form>`,
  );
}

export function errorPage(input: {
  summary: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
}): string {
  return layout(
    "Sign in to your account",
    `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p class="error" role="alert">${escapeHtml(input.summary)}</p>
<p class="note">Request Id: <code>${escapeHtml(input.traceId)}</code><br>Correlation Id: <code>${escapeHtml(input.correlationId)}</code><br>Timestamp: <code>${escapeHtml(input.timestamp)}</code></p>`,
  );
}

/** response_mode=form_post: an auto-submitting form (with a button when scripts are off). */
export function formPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>
<body><form method="POST" name="hiddenform" action="${escapeHtml(action)}">
${inputs}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form><script>document.forms[0].submit();</script></body></html>`;
}

export function signedOutPage(): string {
  return layout(
    "Sign out",
    `<h1>You signed out of your account</h1><p>It’s a good idea to close all browser windows.</p>`,
  );
}
