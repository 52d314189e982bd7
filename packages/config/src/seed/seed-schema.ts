import { z } from "zod";

const scopeList = z.array(z.string().min(1).regex(/^\S+$/, "a scope has no white space"));

const absoluteHttpUri = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && !url.hash;
  } catch {
    return false;
  }
}, "must be an absolute http(s) URI without a fragment");

export const seedUserSchema = z.strictObject({
  username: z.string().min(1),
  display_name: z.string().optional(),
  email: z.email().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  realm: z.string().min(1).default("palantir-internal-realm"),
  organization_rid: z
    .string()
    .regex(/^ri\.[a-z][a-z0-9-]*\.([a-z0-9][a-z0-9-]*)?\.[a-z][a-z0-9-]*\.[A-Za-z0-9._-]+$/, "must be a RID")
    .optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  active: z.boolean().default(true),
});

export const grantTypeSchema = z.enum(["authorization_code", "refresh_token", "client_credentials"]);

export const seedOauthClientSchema = z.strictObject({
  client_id: z.string().min(1).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"),
  // Absent (and no client_secrets) = a public client, which must use PKCE.
  client_secret: z.string().min(1).optional(),
  client_secrets: z.array(z.string().min(1)).optional(),
  name: z.string().optional(),
  redirect_uris: z.array(absoluteHttpUri).default([]),
  grant_types: z.array(grantTypeSchema).default(["authorization_code", "refresh_token"]),
  // Empty = any scope may be requested.
  allowed_scopes: scopeList.default([]),
});

export const seedRuntimeSchema = z.strictObject({
  runtime_id: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only"),
  module_auth_token: z.string().min(8),
  display_name: z.string().optional(),
});

export const seedDeployedAppSchema = z.strictObject({
  rid: z.string().regex(/^ri\.[a-z][a-z0-9-]*\.([a-z0-9][a-z0-9-]*)?\.deployed-app\.[A-Za-z0-9._-]+$/, "must be a deployed-app RID"),
  branch: z.string().min(1).default("master"),
  runtime_id: z.string().min(1),
  active: z.boolean().default(true),
});

export const seedPersonalTokenSchema = z.strictObject({
  token: z.string().min(8),
  username: z.string().min(1),
  scopes: scopeList.default([]),
});

export const seedDocumentSchema = z
  .strictObject({
    foundry: z
      .strictObject({
        users: z.array(seedUserSchema).default([]),
        oauth_clients: z.array(seedOauthClientSchema).default([]),
        compute_modules: z
          .strictObject({
            runtimes: z.array(seedRuntimeSchema).default([]),
            deployed_apps: z.array(seedDeployedAppSchema).default([]),
          })
          .default({ runtimes: [], deployed_apps: [] }),
        personal_tokens: z.array(seedPersonalTokenSchema).default([]),
      })
      .default({ users: [], oauth_clients: [], compute_modules: { runtimes: [], deployed_apps: [] }, personal_tokens: [] }),
    // The flat token map other emulators use: { "<token>": { login, scopes } }.
    tokens: z.record(z.string().min(8), z.strictObject({ login: z.string().min(1), scopes: scopeList.default([]) })).default({}),
  })
  .superRefine((document, context) => {
    const { users, oauth_clients: clients, compute_modules: computeModules } = document.foundry;
    reportDuplicates(users.map((user) => user.username), ["foundry", "users"], "username", context);
    reportDuplicates(clients.map((client) => client.client_id), ["foundry", "oauth_clients"], "client_id", context);
    reportDuplicates(computeModules.runtimes.map((runtime) => runtime.runtime_id), ["foundry", "compute_modules", "runtimes"], "runtime_id", context);
    const usernames = new Set(users.map((user) => user.username));
    const runtimeIds = new Set(computeModules.runtimes.map((runtime) => runtime.runtime_id));
    computeModules.deployed_apps.forEach((app, index) => {
      if (!runtimeIds.has(app.runtime_id)) {
        context.addIssue({
          code: "custom",
          path: ["foundry", "compute_modules", "deployed_apps", index, "runtime_id"],
          message: `no runtime '${app.runtime_id}' in foundry.compute_modules.runtimes`,
        });
      }
    });
    document.foundry.personal_tokens.forEach((personalToken, index) => {
      if (!usernames.has(personalToken.username)) {
        context.addIssue({ code: "custom", path: ["foundry", "personal_tokens", index, "username"], message: `no user '${personalToken.username}' in foundry.users` });
      }
    });
    for (const [token, entry] of Object.entries(document.tokens)) {
      if (!usernames.has(entry.login)) {
        context.addIssue({ code: "custom", path: ["tokens", token, "login"], message: `no user '${entry.login}' in foundry.users` });
      }
    }
    clients.forEach((client, index) => {
      const confidential = Boolean(client.client_secret) || (client.client_secrets?.length ?? 0) > 0;
      if (client.grant_types.includes("client_credentials") && !confidential) {
        context.addIssue({
          code: "custom",
          path: ["foundry", "oauth_clients", index, "grant_types"],
          message: "client_credentials needs a confidential client (client_secret)",
        });
      }
      if (client.grant_types.includes("authorization_code") && client.redirect_uris.length === 0) {
        context.addIssue({
          code: "custom",
          path: ["foundry", "oauth_clients", index, "redirect_uris"],
          message: "authorization_code needs at least one redirect URI",
        });
      }
    });
  });

function reportDuplicates(values: string[], path: (string | number)[], field: string, context: z.RefinementCtx) {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) {
      context.addIssue({ code: "custom", path: [...path, index, field], message: `duplicate ${field} '${value}'` });
    }
    seen.add(value);
  });
}

export type SeedDocument = z.infer<typeof seedDocumentSchema>;
export type SeedUser = z.infer<typeof seedUserSchema>;
export type SeedOauthClient = z.infer<typeof seedOauthClientSchema>;
export type GrantType = z.infer<typeof grantTypeSchema>;
