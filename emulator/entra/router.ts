/**
 * Routes of the Entra authority host (paths exactly as login.microsoftonline.com).
 */
import type { EmulatorContext } from "../context";
import { entraError } from "../errors";
import { jsonResponse, Router } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import {
  handleAdminConsent,
  handleAuthorize,
  handleConsentDecision,
  handleConsentPage,
  handleLogin,
  handleLogout,
  handleNeedAdminApproval,
} from "./authorize";
import { handleInstanceDiscovery, handleKeys, handleOpenIdConfiguration } from "./discovery";
import { handleToken } from "./token";
import { handleUserInfo } from "./userinfo";

const GET_POST = ["GET", "POST"];

export function createEntraRouter(ctx: EmulatorContext): Router {
  const router = new Router();
  router
    .add(["GET"], "/common/discovery/instance", (req) => handleInstanceDiscovery(ctx, req))
    .add(["GET"], "/:tenant/v2.0/.well-known/openid-configuration", (req, p) =>
      handleOpenIdConfiguration(ctx, req, p.tenant ?? "", "v2"),
    )
    .add(["GET"], "/:tenant/.well-known/openid-configuration", (req, p) =>
      handleOpenIdConfiguration(ctx, req, p.tenant ?? "", "v1"),
    )
    .add(["GET"], "/:tenant/discovery/v2.0/keys", (req, p) => handleKeys(ctx, req, p.tenant ?? ""))
    .add(["GET"], "/:tenant/discovery/keys", (req, p) => handleKeys(ctx, req, p.tenant ?? ""))
    .add(GET_POST, "/:tenant/oauth2/v2.0/authorize", (req, p) => handleAuthorize(ctx, req, p.tenant ?? "", "v2"))
    .add(GET_POST, "/:tenant/oauth2/authorize", (req, p) => handleAuthorize(ctx, req, p.tenant ?? "", "v1"))
    // The token endpoint answers every method itself (900561 for non-POST, like Entra).
    .add("*", "/:tenant/oauth2/v2.0/token", (req, p) => handleToken(ctx, req, p.tenant ?? ""))
    .add(["GET"], "/:tenant/v2.0/adminconsent", (req, p) => handleAdminConsent(ctx, req, p.tenant ?? "", "v2"))
    .add(["GET"], "/:tenant/adminconsent", (req, p) => handleAdminConsent(ctx, req, p.tenant ?? "", "legacy"))
    .add(["POST"], "/:tenant/login", (req, p) => handleLogin(ctx, req, p.tenant ?? ""))
    .add(["GET"], "/:tenant/consent", (req, p) => handleConsentPage(ctx, req, p.tenant ?? ""))
    .add(["POST"], "/:tenant/Consent/Set", (req, p) => handleConsentDecision(ctx, req, p.tenant ?? ""))
    .add(["POST"], "/:tenant/needadminapproval", (req, p) => handleNeedAdminApproval(ctx, req, p.tenant ?? ""))
    .add(GET_POST, "/:tenant/oauth2/v2.0/logout", (req, p) => handleLogout(ctx, req, p.tenant ?? ""))
    .add(GET_POST, "/:tenant/oauth2/logout", (req, p) => handleLogout(ctx, req, p.tenant ?? ""))
    .add(["GET"], "/oidc/userinfo", (req) => handleUserInfo(ctx, req))
    .add(GET_POST, "/:tenant/oauth2/v2.0/devicecode", (req) =>
      unsupported(ctx, req, "The device code flow is not emulated."),
    )
    .add("*", "/:tenant/oauth2/token", (req) =>
      unsupported(ctx, req, "The v1 token endpoint is not emulated; use /oauth2/v2.0/token."),
    );
  return router;
}

function unsupported(ctx: EmulatorContext, req: EmulatorRequest, detail: string): EmulatorResponse {
  req.log.kind = "entra.other";
  const instance = entraError("unsupportedByEmulator", { detail }, { authority: ctx.state.authority });
  return jsonResponse(400, instance.body);
}
