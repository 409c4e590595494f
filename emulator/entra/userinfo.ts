/**
 * The OIDC userinfo endpoint. Entra's discovery points at https://graph.microsoft.com/oidc/userinfo,
 * which is unreachable offline, so the emulator serves it itself (same claims as Graph's).
 */
import type { EmulatorContext } from "../context";
import { header, jsonResponse } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import { GRAPH_APP_ID } from "./scopes";

export async function handleUserInfo(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind = "entra.userinfo";
  const auth = header(req, "authorization") ?? "";
  const token = /^bearer\s+(.+)$/i.exec(auth)?.[1];
  const challenge = {
    "www-authenticate":
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  };
  if (!token)
    return jsonResponse(
      401,
      { error: { code: "InvalidAuthenticationToken", message: "Access token is empty." } },
      challenge,
    );
  try {
    const { payload } = await ctx.signer.verify(token, 0);
    if (payload.aud !== GRAPH_APP_ID && payload.aud !== "https://graph.microsoft.com") throw new Error("audience");
    const tenant = typeof payload.tid === "string" ? ctx.state.tenantById(payload.tid) : undefined;
    const user = tenant && typeof payload.oid === "string" ? ctx.state.userOf(tenant, payload.oid) : undefined;
    if (!user) throw new Error("user");
    const [given, ...rest] = user.displayName.split(" ");
    return jsonResponse(200, {
      sub: payload.sub,
      name: user.displayName,
      family_name: rest.join(" "),
      given_name: given,
      email: user.email ?? user.upn,
    });
  } catch {
    return jsonResponse(
      401,
      { error: { code: "InvalidAuthenticationToken", message: "Access token validation failure. Invalid audience." } },
      challenge,
    );
  }
}
