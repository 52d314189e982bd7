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
  // `service` (alias `service_user`, any case) = a service principal, such as the one a client's
  // client_credentials tokens speak for; `oauth_client_id` names that client.
  principal_type: z
    .preprocess((value) => (typeof value === "string" ? value.trim().toLowerCase().replace(/-/g, "_") : value), z.enum(["user", "service", "service_user"]))
    .transform((value) => (value === "user" ? "user" : "service"))
    .optional(),
  oauth_client_id: z.string().min(1).optional(),
});

export const grantTypeSchema = z.enum(["authorization_code", "refresh_token", "client_credentials"]);

export const seedOauthClientSchema = z
  .strictObject({
    client_id: z
      .string()
      .min(1)
      .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"),
    // Absent (and no client_secrets) = a public client, which must use PKCE.
    client_secret: z.string().min(1).optional(),
    client_secrets: z.array(z.string().min(1)).optional(),
    name: z.string().optional(),
    redirect_uris: z.array(absoluteHttpUri).default([]),
    // Absent = every grant the client can use: all three for a confidential client, the code flow
    // and refresh for a public one (client_credentials needs a secret).
    grant_types: z.array(grantTypeSchema).optional(),
    // Empty = any scope may be requested.
    allowed_scopes: scopeList.default([]),
  })
  .superRefine((client, context) => {
    if (!client.grant_types) return;
    if (client.grant_types.includes("client_credentials") && !isConfidentialClient(client)) {
      context.addIssue({ code: "custom", path: ["grant_types"], message: "client_credentials needs a confidential client (client_secret)" });
    }
    if (client.grant_types.includes("authorization_code") && client.redirect_uris.length === 0) {
      context.addIssue({ code: "custom", path: ["redirect_uris"], message: "authorization_code needs at least one redirect URI" });
    }
  })
  .transform((client) => ({ ...client, grant_types: client.grant_types ?? defaultGrantTypes(client) }));

function isConfidentialClient(client: { client_secret?: string | undefined; client_secrets?: string[] | undefined }) {
  return Boolean(client.client_secret) || (client.client_secrets?.length ?? 0) > 0;
}

function defaultGrantTypes(client: { client_secret?: string | undefined; client_secrets?: string[] | undefined }): GrantType[] {
  return isConfidentialClient(client) ? ["authorization_code", "refresh_token", "client_credentials"] : ["authorization_code", "refresh_token"];
}

const runtimeIdSchema = z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only");

export const seedRuntimeSchema = z.strictObject({
  runtime_id: runtimeIdSchema,
  // Absent = generated: derived from the database's own key, shown by `npm run env -- --runtime`
  // and the dashboard.
  module_auth_token: z.string().min(8).optional(),
  display_name: z.string().optional(),
  max_concurrent_tasks: z.number().int().min(1).max(1024).default(1),
});

const deployedAppRidSchema = z.string().regex(/^ri\.[a-z][a-z0-9-]*\.([a-z0-9][a-z0-9-]*)?\.deployed-app\.[A-Za-z0-9._-]+$/, "must be a deployed-app RID");

export const seedDeployedAppSchema = z
  .strictObject({
    deployed_app_rid: deployedAppRidSchema.optional(),
    /** The earlier spelling of `deployed_app_rid`, still accepted (with a warning). */
    rid: deployedAppRidSchema.optional(),
    branch: z.string().min(1).default("master"),
    runtime_id: runtimeIdSchema,
    display_name: z.string().optional(),
    active: z.boolean().default(true),
  })
  .superRefine((app, context) => {
    if (app.deployed_app_rid === undefined && app.rid === undefined) {
      context.addIssue({ code: "custom", path: ["deployed_app_rid"], message: "required" });
    } else if (app.deployed_app_rid !== undefined && app.rid !== undefined && app.deployed_app_rid !== app.rid) {
      context.addIssue({
        code: "custom",
        path: ["rid"],
        message: `'rid' is the earlier spelling of 'deployed_app_rid' and disagrees with it ('${app.rid}' vs '${app.deployed_app_rid}'): give one`,
      });
    }
  })
  .transform(({ rid, deployed_app_rid: deployedAppRid, ...app }) => ({ deployed_app_rid: (deployedAppRid ?? rid)!, ...app }));

export const seedPersonalTokenSchema = z.strictObject({
  token: z.string().min(8),
  username: z.string().min(1),
  scopes: scopeList.default([]),
});

/** The sections of a seed document this emulator reads; other top-level sections are ignored (with a warning). */
export const seedSections = ["foundry", "tokens"] as const;

const emptyFoundrySection = { users: [], oauth_clients: [], compute_modules: { runtimes: [], deployed_apps: [] }, personal_tokens: [] };

// Not strict at the top: a multi-service configuration file holds other emulated services'
// sections beside `foundry:` (parse-seed warns about them and they are dropped here).
export const seedDocumentSchema = z
  .object({
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
      .nullish()
      .transform((section) => section ?? emptyFoundrySection),
    // The flat token map other emulators use: { "<token>": { login, scopes } }.
    tokens: z.record(z.string().min(8), z.strictObject({ login: z.string().min(1), scopes: scopeList.default([]) })).default({}),
  })
  .superRefine((document, context) => {
    const { users, oauth_clients: clients, compute_modules: computeModules } = document.foundry;
    reportDuplicates(
      users.map((user) => user.username),
      ["foundry", "users"],
      "username",
      context,
    );
    reportDuplicates(
      clients.map((client) => client.client_id),
      ["foundry", "oauth_clients"],
      "client_id",
      context,
    );
    reportDuplicates(
      computeModules.runtimes.map((runtime) => runtime.runtime_id),
      ["foundry", "compute_modules", "runtimes"],
      "runtime_id",
      context,
    );
    reportDuplicates(
      computeModules.deployed_apps.map((app) => `${app.deployed_app_rid} @ ${app.branch}`),
      ["foundry", "compute_modules", "deployed_apps"],
      "deployed_app_rid",
      context,
    );
    const usernames = new Set(users.map((user) => user.username));
    const clientIds = new Set(clients.map((client) => client.client_id));
    const serviceClients = new Set<string>();
    users.forEach((user, index) => {
      if (user.oauth_client_id === undefined) return;
      const path = ["foundry", "users", index, "oauth_client_id"];
      if (user.principal_type === "user") {
        context.addIssue({ code: "custom", path, message: "only a service principal (principal_type: service) speaks for an OAuth client" });
      } else if (clients.length > 0 && !clientIds.has(user.oauth_client_id)) {
        context.addIssue({ code: "custom", path, message: `no client '${user.oauth_client_id}' in foundry.oauth_clients` });
      } else if (serviceClients.has(user.oauth_client_id)) {
        context.addIssue({ code: "custom", path, message: `another user already speaks for client '${user.oauth_client_id}'` });
      }
      serviceClients.add(user.oauth_client_id);
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
export type SeedRuntime = z.infer<typeof seedRuntimeSchema>;
export type SeedDeployedApp = z.infer<typeof seedDeployedAppSchema>;

/** A seeded user is a service principal when its principal_type says so or it names a client. */
export const isServicePrincipal = (user: SeedUser) => user.principal_type === "service" || (user.principal_type === undefined && user.oauth_client_id !== undefined);
export type GrantType = z.infer<typeof grantTypeSchema>;

/** Every redirect URI a seed registers: where its web apps live (their origins may call the API from a browser). */
export const redirectUrisOf = (seed: SeedDocument | undefined) => seed?.foundry.oauth_clients.flatMap((client) => client.redirect_uris) ?? [];
