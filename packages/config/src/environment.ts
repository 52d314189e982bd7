import { z } from "zod";

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const positiveInteger = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const commaSeparated = (pattern: RegExp, message: string, fallback = "") =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, message)));

/** Every environment variable the emulator reads, validated once at start-up. */
export const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  FOUNDRY_DB: z.string().min(1).default("./data/foundry.db"),
  // An empty value means "no seed file": the emulator starts empty (open OAuth mode).
  FOUNDRY_SEED: z.string().default("./seeds/default.yaml"),
  FOUNDRY_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" })
    .default("http://localhost:8080")
    .transform((value) => value.replace(/\/+$/, "")),
  FOUNDRY_ACCESS_TOKEN_TTL: positiveInteger(3600),
  FOUNDRY_REFRESH_TOKEN_TTL: positiveInteger(30 * 24 * 3600),
  FOUNDRY_AUTHORIZATION_CODE_TTL: positiveInteger(600),
  FOUNDRY_MAX_BODY_BYTES: positiveInteger(1024 * 1024),
  /** Largest database snapshot POST /_emulate/restore accepts. */
  FOUNDRY_MAX_SNAPSHOT_BYTES: positiveInteger(256 * 1024 * 1024),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  /** How many requests the request journal keeps (GET /_emulate/requests); 0 turns it off. */
  FOUNDRY_JOURNAL_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(1000),

  // Compute modules.
  /** How long GET .../job holds a poll before answering 204. */
  FOUNDRY_JOB_POLL_WAIT_MS: positiveInteger(25_000),
  /** How long a dispatched job may go without a result before it is re-queued. */
  FOUNDRY_JOB_LEASE_MS: positiveInteger(5 * 60_000),
  /** Dispatches a job gets before a lease expiry fails it. */
  FOUNDRY_JOB_MAX_ATTEMPTS: positiveInteger(3),
  /** How long a sync execute waits for the module's result. */
  FOUNDRY_SYNC_EXECUTE_TIMEOUT_MS: positiveInteger(5 * 60_000),
  /** How long finished jobs and their results are kept. */
  FOUNDRY_JOB_RETENTION_SECONDS: positiveInteger(24 * 3600),
  FOUNDRY_MAX_RESULT_BYTES: positiveInteger(64 * 1024 * 1024),

  /** When set, every mutating /_emulate route requires `Authorization: Bearer <this token>`. */
  FOUNDRY_ADMIN_TOKEN: z.string().min(8, "use at least 8 characters").optional(),

  /** Optional HTTPS listener (certificate signed by the emulator's own CA). */
  FOUNDRY_TLS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Extra names for the HTTPS certificate (comma-separated), e.g. the gateway's name on a compose network. */
  FOUNDRY_TLS_HOSTNAMES: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+$|^[0-9A-Fa-f:.]+$/, "host names or IP addresses, comma-separated"))),

  // Who may drive the emulator (see README, "Security").
  /** Extra host names requests may name in Host besides localhost, IP addresses, the public URL's host and FOUNDRY_TLS_HOSTNAMES; `*` = any. */
  FOUNDRY_ALLOWED_HOSTS: commaSeparated(/^\*$|^\.?[A-Za-z0-9.-]+$/, "host names (or .domain for its subdomains, or *), comma-separated"),
  /** Origins browser apps may call /api, /multipass and the contour routes from; unset = the seed's redirect URIs' origins and localhost; `*` = any. */
  FOUNDRY_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? undefined
        : value
            .split(",")
            .map((origin) => origin.trim().replace(/\/+$/, ""))
            .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^\*$|^https?:\/\/[^/\s]+$/, "origins (scheme://host[:port]) or *, comma-separated")).optional()),
  /** Peers whose X-Forwarded-* headers are believed: IP addresses, CIDR ranges, `loopback`, `private`. */
  FOUNDRY_TRUSTED_PROXIES: commaSeparated(/^(loopback|private|[0-9A-Fa-f:.]+(\/\d{1,3})?)$/, "IP addresses, CIDR ranges, loopback or private, comma-separated", "loopback"),
});

export type Environment = z.infer<typeof environmentSchema>;

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

/** Parses the environment; throws a ConfigurationError naming every bad variable. */
export function loadEnvironment(source: Record<string, string | undefined> = process.env): Environment {
  // Treat empty strings as unset, except FOUNDRY_SEED where empty means "no seed".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([key, value]) => value !== undefined && (value !== "" || key === "FOUNDRY_SEED")));
  const result = environmentSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}
