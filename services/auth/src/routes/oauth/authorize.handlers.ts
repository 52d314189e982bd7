import type { Context } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import { isFormContentType, parseFormBody, trustedForwardedPrefix } from "@foundry-emulator/http";
import { parseScopeParameter, scopesOutsideAllowed, withoutUnallowedOfflineAccess } from "@foundry-emulator/tokens";
import type { AuthDependencies } from "../../auth-dependencies";
import {
  createAuthorizationRequest,
  findActiveUser,
  findAuthorizationRequest,
  issueAuthorizationCode,
  listSignInUsers,
  takeAuthorizationRequest,
} from "../../oauth/authorization-requests";
import { s256ChallengePattern } from "../../oauth/pkce";
import { resolveRedirectUri, withParameters } from "../../oauth/redirect-uri";
import { authorizationErrorPage } from "../../views/error-page";
import { userPickerPage } from "../../views/user-picker";

type AuthContext = Context<ServiceBindings>;

const singleValued = ["client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method"];

/** The sign-in pages are never framed (clickjacking, RFC 9700 §4.16) nor cached. */
function signInPageHeaders(context: AuthContext) {
  context.header("Cache-Control", "no-store");
  context.header("X-Frame-Options", "DENY");
  context.header("Content-Security-Policy", "frame-ancestors 'none'");
}

function errorPage(context: AuthContext, error: string, description: string, status: 400 | 404 = 400) {
  signInPageHeaders(context);
  return context.html(authorizationErrorPage(error, description), status);
}

/** 302 back to the client with `error` (RFC 6749 §4.1.2.1), carrying the exact `state`. */
function redirectWithError(context: AuthContext, redirectUri: string, error: string, description: string, state: string | undefined) {
  context.header("Cache-Control", "no-store");
  return context.redirect(withParameters(redirectUri, { error, error_description: description, state }), 302);
}

/**
 * GET /multipass/api/oauth2/authorize: validates the request; an untrustworthy client or
 * redirect URI gets an error page (never a redirect), any other problem is redirected back;
 * a valid request is stored and the user picker shown.
 */
export function authorizeHandler({ platform, clients }: AuthDependencies) {
  return (context: AuthContext) => {
    const query = new URL(context.req.url).searchParams;
    const clientId = query.get("client_id");
    if (!clientId) return errorPage(context, "invalid_request", "client_id is required.");
    if (query.getAll("client_id").length > 1) return errorPage(context, "invalid_request", "client_id was sent more than once.");
    const client = clients.find(clientId);
    if (!client) return errorPage(context, "invalid_client", `Unknown client '${clientId}'.`);
    if (query.getAll("redirect_uri").length > 1) return errorPage(context, "invalid_request", "redirect_uri was sent more than once.");
    const sentRedirectUri = query.get("redirect_uri") ?? undefined;
    const redirectUri = resolveRedirectUri(client, sentRedirectUri);
    if (!redirectUri) {
      return errorPage(
        context,
        "invalid_request",
        sentRedirectUri === undefined
          ? "redirect_uri is required: this client has no registered redirect URI."
          : client.open
            ? "redirect_uri must be an absolute http(s) URI."
            : "redirect_uri does not exactly match a redirect URI registered for this client.",
      );
    }

    const state = query.get("state") ?? undefined;
    const fail = (error: string, description: string) => redirectWithError(context, redirectUri, error, description, state);
    const repeated = singleValued.find((name) => query.getAll(name).length > 1);
    if (repeated) return fail("invalid_request", `${repeated} was sent more than once.`);
    const responseType = query.get("response_type");
    if (!responseType) return fail("invalid_request", "response_type is required.");
    if (responseType !== "code") return fail("unsupported_response_type", "Only response_type=code is supported.");
    if (!client.grantTypes.includes("authorization_code")) return fail("unauthorized_client", "This client may not use the authorization code grant.");

    const requestedScopes = parseScopeParameter(query.get("scope"));
    const refused = scopesOutsideAllowed(requestedScopes, client.allowedScopes);
    if (refused.length > 0) return fail("invalid_scope", `Scopes not allowed for this client: ${refused.join(" ")}.`);
    const scopes = withoutUnallowedOfflineAccess(requestedScopes, client.allowedScopes);

    const codeChallenge = query.get("code_challenge") ?? undefined;
    const method = query.get("code_challenge_method") ?? undefined;
    if (codeChallenge === undefined) {
      if (method !== undefined) return fail("invalid_request", "code_challenge_method was sent without code_challenge.");
      if (!client.confidential && !client.open) return fail("invalid_request", "PKCE is required for public clients: send code_challenge with code_challenge_method=S256.");
    } else {
      if (method !== "S256") return fail("invalid_request", "code_challenge_method must be S256.");
      if (!s256ChallengePattern.test(codeChallenge)) return fail("invalid_request", "code_challenge must be 43 base64url characters (S256).");
    }

    const request = createAuthorizationRequest(platform, {
      clientId: client.clientId,
      redirectUri,
      redirectUriSent: sentRedirectUri !== undefined,
      scopes,
      state,
      codeChallenge,
    });
    signInPageHeaders(context);
    return context.html(
      userPickerPage({
        requestId: request.id,
        clientName: client.name ?? client.clientId,
        scopes,
        users: listSignInUsers(platform).map((user) => ({ username: user.username, displayName: user.displayName, email: user.email })),
        pathPrefix: trustedForwardedPrefix(context),
      }),
    );
  };
}

/**
 * POST /multipass/api/oauth2/authorize/callback: the picker's answer. It names only the stored
 * request and the user, so nothing the client sent can be altered in between.
 */
export function authorizeCallbackHandler({ platform }: AuthDependencies) {
  return async (context: AuthContext) => {
    if (!isFormContentType(context.req.header("Content-Type"))) {
      return errorPage(context, "invalid_request", "The sign-in form must be posted as application/x-www-form-urlencoded.");
    }
    const form = parseFormBody(await context.req.text());
    if (!form.ok) return errorPage(context, "invalid_request", `${form.duplicate} was sent more than once.`);
    const requestId = form.values.get("request_id");
    if (!requestId) return errorPage(context, "invalid_request", "request_id is required.");
    const pending = findAuthorizationRequest(platform, requestId);
    if (!pending) return errorPage(context, "invalid_request", "This sign-in request is unknown, already answered or expired. Start again from the application.");

    const state = pending.state ?? undefined;
    if (form.values.get("decision") === "deny") {
      takeAuthorizationRequest(platform, requestId);
      return redirectWithError(context, pending.redirectUri, "access_denied", "The user denied the request.", state);
    }
    const username = form.values.get("username");
    const user = username ? findActiveUser(platform, username) : undefined;
    if (!user) return errorPage(context, "invalid_request", "Pick one of the listed users.");
    const request = takeAuthorizationRequest(platform, requestId);
    if (!request) return errorPage(context, "invalid_request", "This sign-in request was already answered.");
    const code = issueAuthorizationCode(platform, request, user.id);
    context.header("Cache-Control", "no-store");
    // 303: the browser follows a POST's redirect with a GET.
    return context.redirect(withParameters(request.redirectUri, { code, state }), 303);
  };
}
