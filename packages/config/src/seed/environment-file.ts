import type { SeedDocument } from "./seed-schema";

export interface EnvironmentFileRequest {
  publicUrl: string;
  clientId?: string | undefined;
  /** A user whose seeded personal token goes into FOUNDRY_TOKEN. */
  username?: string | undefined;
}

export class EnvironmentFileError extends Error {
  override name = "EnvironmentFileError";
}

const quote = (value: string) => (/^[A-Za-z0-9_./:@+-]*$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, "\\$1")}"`);

/**
 * A ready `.env` block for a seeded client (and/or a user's personal token), in the variable names
 * the platform SDKs' examples use. Secrets exist in clear only in the seed, so that is where they
 * are read from.
 */
export function environmentFileFor(seed: SeedDocument, request: EnvironmentFileRequest): string {
  if (!request.clientId && !request.username)
    throw new EnvironmentFileError("name a client (--client <id>), a user with a personal token (--user <username>) or a runtime (--runtime <id>)");
  const url = new URL(request.publicUrl);
  const lines = [`# foundry-emulator at ${request.publicUrl}`, `FOUNDRY_HOSTNAME=${quote(url.host)}`, `FOUNDRY_URL=${quote(request.publicUrl)}`];

  if (request.clientId) {
    const client = seed.foundry.oauth_clients.find((candidate) => candidate.client_id === request.clientId);
    if (!client) {
      const known = seed.foundry.oauth_clients.map((candidate) => candidate.client_id).join(", ") || "none";
      throw new EnvironmentFileError(`no client '${request.clientId}' in the seed (clients: ${known})`);
    }
    const secrets = [client.client_secret, ...(client.client_secrets ?? [])].filter((secret): secret is string => Boolean(secret));
    lines.push("", `# OAuth client '${client.client_id}'${client.name ? ` (${client.name})` : ""}: ${client.grant_types.join(", ")}`);
    lines.push(`FOUNDRY_CLIENT_ID=${quote(client.client_id)}`);
    if (secrets.length > 0) {
      if (secrets.length > 1) lines.push(`# ${secrets.length} live secrets (rotation); the newest listed is used here`);
      lines.push(`FOUNDRY_CLIENT_SECRET=${quote(secrets[secrets.length - 1]!)}`);
    } else {
      lines.push("# public client: no secret, PKCE required");
    }
    if (client.allowed_scopes.length > 0) lines.push(`FOUNDRY_SCOPES=${quote(client.allowed_scopes.join(" "))}`);
    if (client.redirect_uris[0]) lines.push(`FOUNDRY_REDIRECT_URI=${quote(client.redirect_uris[0])}`);
  }

  if (request.username) {
    const declared = [
      ...seed.foundry.personal_tokens.map((entry) => ({ token: entry.token, username: entry.username, scopes: entry.scopes })),
      ...Object.entries(seed.tokens).map(([token, entry]) => ({ token, username: entry.login, scopes: entry.scopes })),
    ].filter((entry) => entry.username === request.username);
    if (declared.length === 0) {
      throw new EnvironmentFileError(
        `no personal token for '${request.username}' in the seed (declare one under foundry.personal_tokens, or create one with POST /_emulate/foundry/personal-tokens)`,
      );
    }
    lines.push("", `# personal access token of '${request.username}' (development only): ${declared[0]!.scopes.join(" ") || "no scopes"}`);
    lines.push(`FOUNDRY_TOKEN=${quote(declared[0]!.token)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Where a runtime's module auth token comes from: the seed's value, or derived (generated) from the database's key. */
export type ModuleAuthTokenSource = { kind: "seed"; token: string } | { kind: "generated" };

/** Whether the seed declares the runtime (listed, or named by a deployed app), and how its token is known. */
export function moduleAuthTokenSourceOf(seed: SeedDocument, runtimeId: string): ModuleAuthTokenSource {
  const { runtimes, deployed_apps: deployedApps } = seed.foundry.compute_modules;
  const runtime = runtimes.find((candidate) => candidate.runtime_id === runtimeId);
  if (runtime?.module_auth_token !== undefined) return { kind: "seed", token: runtime.module_auth_token };
  if (runtime || deployedApps.some((app) => app.runtime_id === runtimeId)) return { kind: "generated" };
  const known = [...new Set([...runtimes.map((candidate) => candidate.runtime_id), ...deployedApps.map((app) => app.runtime_id)])].join(", ") || "none";
  throw new EnvironmentFileError(
    `no runtime '${runtimeId}' in the seed (runtimes: ${known}); a runtime opened at run time shows its token once, in the answer of POST /_emulate/foundry/compute-modules/runtimes`,
  );
}

/**
 * The .env block of a compute-module runtime: the reserved variables a module reads. Every SDK reads
 * MODULE_AUTH_TOKEN as a file path, so the token itself goes beside it as MODULE_AUTH_TOKEN_VALUE,
 * which the example modules' entrypoints write into that file (with no trailing newline).
 */
export function runtimeEnvironmentBlock(runtimeId: string, environment: Record<string, string>, moduleAuthToken: string): string {
  const lines = [`# compute-module runtime '${runtimeId}'`];
  for (const [name, value] of Object.entries(environment)) lines.push(`${name}=${quote(value)}`);
  lines.push("# the token to write into the file MODULE_AUTH_TOKEN names, with no trailing newline", `MODULE_AUTH_TOKEN_VALUE=${quote(moduleAuthToken)}`);
  return `${lines.join("\n")}\n`;
}
