import { OauthError } from "@foundry-emulator/http";
import { secretMatchesHash } from "@foundry-emulator/tokens";
import type { ClientDirectory, OauthClient } from "./oauth-clients";

interface PresentedCredentials {
  clientId: string;
  secret: string | undefined;
  viaBasic: boolean;
}

/** application/x-www-form-urlencoded decoding of one half of a Basic header (RFC 6749 §2.3.1). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/**
 * Reads the client's credentials from HTTP Basic or from the body (`client_id`, `client_secret`),
 * never both at once (RFC 6749 §2.3).
 */
export function readClientCredentials(authorization: string | undefined, form: Map<string, string>): PresentedCredentials {
  const basic = authorization?.match(/^Basic[ ]+([A-Za-z0-9+/=]*)\s*$/i);
  if (authorization && /^Basic\b/i.test(authorization)) {
    const decoded = basic ? Buffer.from(basic[1]!, "base64").toString("utf8") : "";
    const separator = decoded.indexOf(":");
    if (!basic || separator < 0) throw new OauthError("invalid_client", "Malformed HTTP Basic client credentials.", 401, true);
    let clientId: string;
    let secret: string;
    try {
      clientId = formDecode(decoded.slice(0, separator));
      secret = formDecode(decoded.slice(separator + 1));
    } catch {
      throw new OauthError("invalid_client", "HTTP Basic client credentials are not form-URL-encoded.", 401, true);
    }
    if (form.has("client_secret")) {
      throw new OauthError("invalid_request", "Use one client authentication method: HTTP Basic or client_secret in the body, not both.");
    }
    const bodyClientId = form.get("client_id");
    if (bodyClientId !== undefined && bodyClientId !== clientId) {
      throw new OauthError("invalid_request", "client_id in the body differs from the HTTP Basic client.");
    }
    return { clientId, secret, viaBasic: true };
  }
  const clientId = form.get("client_id");
  if (!clientId) throw new OauthError("invalid_client", "Client authentication is required: send client_id (and client_secret) or HTTP Basic.", 401);
  return { clientId, secret: form.get("client_secret"), viaBasic: false };
}

/**
 * Authenticates a client: a confidential client must present one of its live secrets (each compared
 * in constant time); a public client presents none (an empty Basic password counts as none).
 */
export function authenticateClient(directory: ClientDirectory, credentials: PresentedCredentials): OauthClient {
  const fail = (description: string) => new OauthError("invalid_client", description, 401, credentials.viaBasic);
  const registered = directory.lookup(credentials.clientId);
  if (!registered) throw fail("Unknown client.");
  const { client, secretHashes } = registered;
  if (client.open) return client;
  const secret = credentials.secret ?? "";
  if (client.confidential) {
    if (!secret) throw fail("This client is confidential: it must authenticate with its client secret.");
    let matched = false;
    for (const hash of secretHashes) matched = secretMatchesHash(secret, hash) || matched;
    if (!matched) throw fail("Client authentication failed.");
  } else if (secret) {
    throw fail("This client is public: it has no client secret.");
  }
  return client;
}
