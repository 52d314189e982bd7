import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** RFC 6749 §5.2 error codes, plus RFC 7009's for revocation. */
export type OauthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "unsupported_token_type"
  | "access_denied"
  | "unsupported_response_type"
  | "server_error";

/** The OAuth envelope `{error, error_description}` of every /multipass/api/oauth2 endpoint. */
export class OauthError extends Error {
  constructor(
    readonly error: OauthErrorCode,
    readonly description: string,
    readonly status: ContentfulStatusCode = error === "invalid_client" ? 401 : error === "server_error" ? 500 : 400,
    /** Set when the client tried HTTP Basic: RFC 6749 then requires a WWW-Authenticate challenge. */
    readonly basicChallenge = false,
  ) {
    super(`${error}: ${description}`);
  }
}

export function respondWithOauthError(context: Context, error: OauthError): Response {
  context.set("oauthError", error.error); // for the request journal and log
  context.header("Cache-Control", "no-store");
  context.header("Pragma", "no-cache");
  if (error.basicChallenge) context.header("WWW-Authenticate", 'Basic realm="multipass", charset="UTF-8"');
  return context.json({ error: error.error, error_description: error.description }, error.status);
}
