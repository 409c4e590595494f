/**
 * "Power Platform admin center (emulated)": one page where a customer admin in the demo adds an
 * application user by app ID to an environment and gives it a security role (docs/protocol/dataverse.md B8: PPAC →
 * Environments → {env} → Settings → Users + permissions → Application users), activates or deactivates one (with
 * Microsoft's confirmation step) and edits its security roles: the selected roles of the user's business unit become
 * its roles, the others are removed (docs/protocol/dataverse.md "Managing an application user"). No sign-in.
 */
import type { EmulatorAdmin } from "./admin";
import { AdminError } from "./admin";
import type { EmulatorContext } from "./context";
import { sameGuid } from "./guid";
import { escapeHtml, formBody, htmlResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import type { PrivilegeDepth } from "./dataverse/privileges";

function page(ctx: EmulatorContext, message: { kind: "ok" | "error"; text: string } | undefined): string {
  const envs = ctx.state.scenario.environments;
  const roleNames = [...new Set(envs.flatMap((e) => e.roles.map((r) => r.name)))].sort();
  const tenants = new Map(ctx.state.scenario.tenants.map((t) => [t.id.toLowerCase(), t.displayName]));
  const envOptions = envs
    .map(
      (e) =>
        `<option value="${escapeHtml(e.name)}">${escapeHtml(e.friendlyName)} — ${escapeHtml(tenants.get(e.tenantId.toLowerCase()) ?? e.tenantId)}</option>`,
    )
    .join("");
  const roleOptions = roleNames.map((r) => `<option value="${escapeHtml(r)}">${escapeHtml(r)}</option>`).join("");
  const rows = envs
    .flatMap((e) =>
      e.systemUsers
        .filter((u) => u.applicationId)
        .map((u) => {
          const who = `${u.fullname} in ${e.friendlyName}`;
          const hidden = `<input type="hidden" name="environment" value="${escapeHtml(e.name)}"><input type="hidden" name="systemUserId" value="${escapeHtml(u.id)}">`;
          // Microsoft: "select Activate on the menu bar, and then select Activate in the confirmation dialog".
          const verb = u.isDisabled ? "Activate" : "Deactivate";
          const state = `<details><summary>${verb}</summary><form method="post" action="/_emulator/ppac"><input type="hidden" name="form" value="${u.isDisabled ? "activate" : "deactivate"}">${hidden}<p>${verb} the application user ${escapeHtml(who)}?</p><button type="submit" aria-label="${verb} ${escapeHtml(who)}">${verb}</button></form></details>`;
          const roleNames =
            u.roleIds.map((id) => e.roles.find((r) => sameGuid(r.id, id))?.name ?? id).join(", ") || "(none)";
          // Only the roles of the user's own business unit can be given to it.
          const choices = e.roles
            .filter((r) => sameGuid(r.businessUnitId, u.businessUnitId))
            .map((r) => {
              const id = `role-${escapeHtml(u.id)}-${escapeHtml(r.id)}`;
              const checked = u.roleIds.some((held) => sameGuid(held, r.id)) ? " checked" : "";
              return `<div><input type="checkbox" id="${id}" name="role" value="${escapeHtml(r.name)}"${checked}> <label for="${id}" class="inline">${escapeHtml(r.name)}</label></div>`;
            })
            .join("");
          const edit = `<details><summary>Edit security roles</summary><form method="post" action="/_emulator/ppac"><input type="hidden" name="form" value="roles">${hidden}<fieldset><legend>Security roles of ${escapeHtml(who)}</legend>${choices}</fieldset><button type="submit" aria-label="Save the security roles of ${escapeHtml(who)}">Save</button></form></details>`;
          return `<tr><td>${escapeHtml(e.friendlyName)}</td><td>${escapeHtml(u.fullname)}</td><td><code>${escapeHtml(u.applicationId ?? "")}</code></td><td>${u.isDisabled ? "Disabled" : "Enabled"}${state}</td><td>${escapeHtml(roleNames)}${edit}</td></tr>`;
        }),
    )
    .join("");
  const banner = message ? `<p role="status" class="${message.kind}">${escapeHtml(message.text)}</p>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Power Platform admin center (emulated)</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;margin:32px;max-width:960px}label{display:block;margin-top:12px;font-weight:600}
select,input{font-size:15px;padding:4px;min-width:420px}button{margin-top:16px;font-size:15px;padding:6px 14px;background:#0067b8;color:#fff;border:0}
label.inline{display:inline;font-weight:400}summary{cursor:pointer;color:#0067b8;margin-top:4px}fieldset{border:0;padding:0;margin:4px 0}legend{font-weight:600}
table{border-collapse:collapse;margin-top:24px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#107c10}.error{color:#a80000}</style></head>
<body><h1>Power Platform admin center (emulated)</h1>
<p>Environments → <em>environment</em> → Settings → Users + permissions → Application users → New app user</p>
${banner}
<form method="post" action="/_emulator/ppac">
<label for="environment">Environment</label><select id="environment" name="environment">${envOptions}</select>
<label for="appId">Application (client) ID</label><input id="appId" name="appId" required placeholder="00000000-0000-0000-0000-000000000000">
<label for="role">Security role</label><select id="role" name="role">${roleOptions}</select>
<br><button type="submit">Create application user</button>
</form>
<h2>New security role</h2>
<p>Settings → Users + permissions → Security roles → New role. One privilege per line: its name and its access level
(User, Business Unit, Parent: Child Business Units or Organization), e.g. <code>prvReadAccount Organization</code>.</p>
<form method="post" action="/_emulator/ppac">
<input type="hidden" name="form" value="role">
<label for="role-environment">Environment</label><select id="role-environment" name="environment">${envOptions}</select>
<label for="role-name">Role name</label><input id="role-name" name="name" required>
<label for="role-privileges">Privileges</label><textarea id="role-privileges" name="privileges" rows="8" cols="60" required></textarea>
<br><button type="submit">Create security role</button>
</form>
<h2>Application users</h2>
<table><thead><tr><th>Environment</th><th>Name</th><th>App ID</th><th>Status</th><th>Security roles</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>`;
}

export function handlePpac(ctx: EmulatorContext, admin: EmulatorAdmin, req: EmulatorRequest): EmulatorResponse {
  if (req.method === "GET") return htmlResponse(200, page(ctx, undefined));
  const form = formBody(req);
  if (form.get("form") === "role") return createRoleFromForm(ctx, admin, form);
  if (form.get("form") === "activate" || form.get("form") === "deactivate") return setActiveFromForm(ctx, admin, form);
  if (form.get("form") === "roles") return editRolesFromForm(ctx, admin, form);
  const environment = form.get("environment") ?? "";
  const appId = (form.get("appId") ?? "").trim();
  const role = form.get("role") ?? "";
  try {
    const env = ctx.state.environmentByName(environment);
    const existing = env?.systemUsers.find((u) => sameGuid(u.applicationId, appId));
    if (existing) {
      admin.assignRole(environment, role, { systemUserId: existing.id });
      return htmlResponse(
        200,
        page(ctx, { kind: "ok", text: `Security role "${role}" assigned to the existing application user.` }),
      );
    }
    admin.createApplicationUser(environment, { applicationId: appId, roles: [role] });
    return htmlResponse(
      200,
      page(ctx, { kind: "ok", text: `Application user created in ${environment} with role "${role}".` }),
    );
  } catch (error) {
    const text = error instanceof AdminError ? error.message : String(error);
    return htmlResponse(400, page(ctx, { kind: "error", text }));
  }
}

const LEVELS: Record<string, PrivilegeDepth> = {
  user: "Basic",
  basic: "Basic",
  "business unit": "Local",
  local: "Local",
  "parent: child business units": "Deep",
  deep: "Deep",
  organization: "Global",
  global: "Global",
};

function createRoleFromForm(ctx: EmulatorContext, admin: EmulatorAdmin, form: URLSearchParams): EmulatorResponse {
  const environment = form.get("environment") ?? "";
  const name = (form.get("name") ?? "").trim();
  try {
    const privileges = (form.get("privileges") ?? "")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const match = /^(prv\w+)\s*[:\s]\s*(.+)$/.exec(line);
        const depth = match?.[2] ? LEVELS[match[2].trim().toLowerCase()] : undefined;
        if (!match?.[1] || !depth)
          throw new AdminError(400, `Cannot read "${line}": write a privilege name and an access level.`);
        return { name: match[1], depth };
      });
    if (!name) throw new AdminError(400, "The role needs a name.");
    admin.createRole(environment, name, privileges);
    return htmlResponse(
      200,
      page(ctx, {
        kind: "ok",
        text: `Security role "${name}" created in ${environment} with ${privileges.length} privileges.`,
      }),
    );
  } catch (error) {
    const text = error instanceof AdminError ? error.message : String(error);
    return htmlResponse(400, page(ctx, { kind: "error", text }));
  }
}

/** The application user a form names: environment by name, user by id; it must be an application user. */
function formAppUser(ctx: EmulatorContext, form: URLSearchParams) {
  const environment = form.get("environment") ?? "";
  const env = ctx.state.environmentByName(environment);
  if (!env) throw new AdminError(400, `No environment named '${environment}'.`);
  const user = env.systemUsers.find((u) => u.applicationId && sameGuid(u.id, form.get("systemUserId") ?? ""));
  if (!user) throw new AdminError(400, `No such application user in '${env.name}'.`);
  return { env, user };
}

function setActiveFromForm(ctx: EmulatorContext, admin: EmulatorAdmin, form: URLSearchParams): EmulatorResponse {
  const activate = form.get("form") === "activate";
  try {
    const { env, user } = formAppUser(ctx, form);
    admin.setApplicationUserDisabled(env.name, !activate, { systemUserId: user.id });
    return htmlResponse(
      200,
      page(ctx, {
        kind: "ok",
        text: `Application user ${user.fullname} ${activate ? "activated" : "deactivated"} in ${env.name}.`,
      }),
    );
  } catch (error) {
    const text = error instanceof AdminError ? error.message : String(error);
    return htmlResponse(400, page(ctx, { kind: "error", text }));
  }
}

/** Microsoft: "All selected roles become the current assigned roles for the application user. Any unselected roles aren't assigned." */
function editRolesFromForm(ctx: EmulatorContext, admin: EmulatorAdmin, form: URLSearchParams): EmulatorResponse {
  try {
    const { env, user } = formAppUser(ctx, form);
    const selected = form.getAll("role");
    const ownUnit = env.roles.filter((r) => sameGuid(r.businessUnitId, user.businessUnitId));
    const chosen = selected.map((name) => {
      const role = ownUnit.find((r) => r.name === name);
      if (!role)
        throw new AdminError(
          400,
          `'${name}' is not a security role of the application user's business unit in '${env.name}'.`,
        );
      return role;
    });
    for (const id of [...user.roleIds]) {
      if (!chosen.some((r) => sameGuid(r.id, id)) && env.roles.some((r) => sameGuid(r.id, id)))
        admin.removeRole(env.name, id, { systemUserId: user.id });
    }
    for (const role of chosen) admin.assignRole(env.name, role.id, { systemUserId: user.id });
    const names = chosen.map((r) => r.name).join(", ") || "none";
    return htmlResponse(
      200,
      page(ctx, { kind: "ok", text: `Security roles of ${user.fullname} in ${env.name} saved: ${names}.` }),
    );
  } catch (error) {
    const text = error instanceof AdminError ? error.message : String(error);
    return htmlResponse(400, page(ctx, { kind: "error", text }));
  }
}
