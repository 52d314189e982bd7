import { route, simpleRoute } from "./route-spec";

export const oauthPath = "/multipass/api/oauth2";

/** Multipass OAuth 2.0 and the legacy who-am-I (the auth service). */
export const oauthRoutes = {
  authorize: simpleRoute(
    "GET",
    `${oauthPath}/authorize`,
    { kind: "public", reason: "the browser's entry to sign-in; the client is checked against its registration" },
    "Authorization request",
    "The user picker (HTML), or a redirect back with an error.",
  ),
  authorizeCallback: simpleRoute(
    "POST",
    `${oauthPath}/authorize/callback`,
    { kind: "public", reason: "the picker's answer; it names a stored, single-use sign-in request" },
    "The picker's answer",
    "A redirect to the client with the code and state.",
    { status: 303 },
  ),
  token: simpleRoute("POST", `${oauthPath}/token`, { kind: "oauth-client" }, "Token endpoint", "The token response."),
  revokeToken: simpleRoute("POST", `${oauthPath}/revoke_token`, { kind: "oauth-client" }, "Revocation endpoint (RFC 7009)", "Revoked, or nothing to revoke."),
  me: route({
    method: "GET",
    path: "/multipass/api/me",
    access: { kind: "token", reason: "the legacy who-am-I answers any signed-in principal" },
    summary: "Who am I (legacy)",
    responses: { 200: { description: "The principal, as getCurrent answers it." } },
  }),
};

/** The Foundry platform API (the auth service). */
export const platformApiRoutes = {
  getCurrentUser: simpleRoute("GET", "/api/v2/admin/users/getCurrent", { kind: "scope", scope: "api:admin-read" }, "The current user", "The `User`."),
};
