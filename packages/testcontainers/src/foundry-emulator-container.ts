import { readFileSync } from "node:fs";
import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { FoundryEmulatorRequestError, loginWithAuthorizationCode, requestToken, type LoginOptions, type TokenResponse } from "./oauth-login";

/** The image the container runs unless told otherwise (`docker build -t foundry-emulator .`). */
export const defaultFoundryEmulatorImage = process.env.FOUNDRY_EMULATOR_IMAGE ?? "foundry-emulator:local";
export const foundryEmulatorPort = 8080;

const seedPathInContainer = "/seeds/testcontainers-seed.yaml";
const defaultPublicUrl = "http://localhost:8080";

/** A seed: YAML or JSON text, or the object (`{ foundry: { users: [...] } }`). */
export type FoundrySeed = string | Record<string, unknown>;

/**
 * foundry-emulator (the all-in-one role) for integration test suites:
 *
 *   const emulator = await new FoundryEmulatorContainer().withSeed({ foundry: { users: [...] } }).start();
 *   const { access_token } = await emulator.getClientCredentialsToken("service-app", "service-app-secret", ["api:admin-read"]);
 *
 * Waits until GET /_emulate/health answers 200. The database lives on a tmpfs (fresh and fast for
 * every container) unless withPersistentData() is called.
 */
export class FoundryEmulatorContainer extends GenericContainer {
  private adminToken: string | undefined;
  private publicUrl = defaultPublicUrl;
  private dataOnTmpfs = true;

  constructor(image: string = defaultFoundryEmulatorImage) {
    super(image);
    this.withExposedPorts(foundryEmulatorPort)
      .withCommand(["all"])
      .withEnvironment({ PORT: String(foundryEmulatorPort), LOG_LEVEL: "warn" })
      .withWaitStrategy(Wait.forHttp("/_emulate/health", foundryEmulatorPort, { abortOnContainerExit: true }).forStatusCode(200).withReadTimeout(250))
      .withStartupTimeout(60_000);
  }

  /** Seeds the emulator from YAML/JSON text or an object (replacing the image's default seed). */
  withSeed(seed: FoundrySeed): this {
    const content = typeof seed === "string" ? seed : JSON.stringify(seed, null, 2);
    this.withCopyContentToContainer([{ content, target: seedPathInContainer, mode: 0o644 }]);
    return this.withEnvironment({ FOUNDRY_SEED: seedPathInContainer });
  }

  /** Seeds the emulator from a YAML or JSON file on this machine. */
  withSeedFile(path: string): this {
    return this.withSeed(readFileSync(path, "utf8"));
  }

  /** Starts with no seed at all: no users, no clients (open OAuth mode). */
  withoutSeed(): this {
    return this.withEnvironment({ FOUNDRY_SEED: "" });
  }

  /** Guards the control plane (/_emulate/...) with a bearer token; the helpers send it. */
  withAdminToken(token: string): this {
    this.adminToken = token;
    return this.withEnvironment({ FOUNDRY_ADMIN_TOKEN: token });
  }

  /**
   * FOUNDRY_PUBLIC_URL: the URL the emulator names itself by (token issuer, the URIs of runtimes).
   * createRuntime() rewrites runtime URIs to the mapped port anyway.
   */
  withPublicUrl(url: string): this {
    this.publicUrl = url.replace(/\/+$/, "");
    return this.withEnvironment({ FOUNDRY_PUBLIC_URL: this.publicUrl });
  }

  /** Keeps the database in the image's /data volume instead of a tmpfs (survives restart()). */
  withPersistentData(): this {
    this.dataOnTmpfs = false;
    return this;
  }

  override async start(): Promise<StartedFoundryEmulatorContainer> {
    // Owned by the image's user (1000:1000), which creates the database there.
    if (this.dataOnTmpfs) this.withTmpFs({ "/data": "rw,uid=1000,gid=1000" });
    return new StartedFoundryEmulatorContainer(await super.start(), { adminToken: this.adminToken, publicUrl: this.publicUrl });
  }
}

/** What POST /_emulate/foundry/compute-modules/runtimes answers: the module's complete environment. */
export interface RuntimeSession {
  runtimeId: string;
  displayName: string;
  deployedAppRid: string | null;
  branch: string | null;
  moduleAuthToken: string;
  getJobUri: string;
  postResultUri: string;
  postSchemaUri: string;
  restartNotificationUri: string;
  /** The reserved variables a module reads (GET_JOB_URI, ..., MODULE_AUTH_TOKEN as a file path). */
  environment: Record<string, string>;
  /** Files the module expects (the module token, with no trailing newline); write them at `path`. */
  files: Array<{ path: string; content: string; environmentVariables: string[] }>;
  failedJobIds: string[];
}

export interface CreateRuntimeOptions {
  runtimeId?: string;
  displayName?: string;
  deployedAppRid?: string;
  branch?: string;
  /** Where the module will find its files (default chosen by the emulator). */
  filesDirectory?: string;
  maxConcurrentTasks?: number;
  /**
   * The emulator's address as the module sees it. Default: getBaseUrl() (a module running on this
   * machine). For a module container on a shared network: e.g. http://foundry-emulator:8080.
   */
  moduleBaseUrl?: string;
}

export interface MintTokenOptions {
  username?: string;
  clientId?: string;
  scopes?: string[];
  expiresIn?: number;
}

export class StartedFoundryEmulatorContainer extends AbstractStartedContainer {
  private readonly adminToken: string | undefined;
  private readonly publicUrl: string;

  constructor(started: StartedTestContainer, settings: { adminToken: string | undefined; publicUrl: string }) {
    super(started);
    this.adminToken = settings.adminToken;
    this.publicUrl = settings.publicUrl;
  }

  /** http://host:port of the emulator, as this machine reaches it. */
  getBaseUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(foundryEmulatorPort)}`;
  }

  /** An access token from the client credentials grant (a backend service). */
  getClientCredentialsToken(clientId: string, clientSecret: string, scopes: string[] = []): Promise<TokenResponse> {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret });
    if (scopes.length) form.set("scope", scopes.join(" "));
    return requestToken(this.getBaseUrl(), form);
  }

  /**
   * Tokens for a seeded user through the authorization code flow with PKCE, without a browser:
   * the sign-in page is fetched and its form submitted as `username`.
   */
  loginAs(username: string, options: LoginOptions = {}): Promise<TokenResponse> {
    return loginWithAuthorizationCode(this.getBaseUrl(), username, options);
  }

  /** An access token minted by the control plane (POST /_emulate/foundry/tokens), no OAuth flow. */
  async mintToken(options: MintTokenOptions): Promise<TokenResponse> {
    return (await this.control("POST", "/_emulate/foundry/tokens", {
      ...(options.username ? { username: options.username } : {}),
      ...(options.clientId ? { client_id: options.clientId } : {}),
      scopes: options.scopes ?? [],
      ...(options.expiresIn ? { expires_in: options.expiresIn } : {}),
    })) as TokenResponse;
  }

  /**
   * Opens (or resets) a compute-module runtime session and answers the module's environment, with
   * every URI pointing at `moduleBaseUrl`.
   */
  async createRuntime(options: CreateRuntimeOptions = {}): Promise<RuntimeSession> {
    const { moduleBaseUrl = this.getBaseUrl(), ...body } = options;
    const session = (await this.control("POST", "/_emulate/foundry/compute-modules/runtimes", body)) as RuntimeSession;
    return pointRuntimeAt(session, this.publicUrl, moduleBaseUrl);
  }

  /** Back to the seed: everything created since start is removed (POST /_emulate/reset). */
  async reset(): Promise<void> {
    await this.control("POST", "/_emulate/reset");
  }

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.getBaseUrl()), {
      method,
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(this.adminToken ? { Authorization: `Bearer ${this.adminToken}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new FoundryEmulatorRequestError(`${method} ${path}`, response.status, text);
    return text ? JSON.parse(text) : undefined;
  }
}

/**
 * The emulator builds runtime URIs from its FOUNDRY_PUBLIC_URL, which inside a container cannot
 * know the mapped port: re-point them (and RUNTIME_HOST/PORT/API) at where the module connects.
 */
export function pointRuntimeAt(session: RuntimeSession, publicUrl: string, moduleBaseUrl: string): RuntimeSession {
  const from = new URL(publicUrl).origin;
  const to = new URL(moduleBaseUrl);
  const rewrite = (value: string) => (value.startsWith(`${from}/`) ? to.origin + value.slice(from.length) : value);
  const environment = Object.fromEntries(Object.entries(session.environment).map(([name, value]) => [name, rewrite(value)]));
  if (session.environment.GET_JOB_URI?.startsWith(`${from}/`)) {
    const host = to.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = to.port || (to.protocol === "https:" ? "443" : "80");
    Object.assign(environment, { RUNTIME_HOST: host, RUNTIME_PORT: port, RUNTIME_API: `${host.includes(":") ? `[${host}]` : host}:${port}` });
  }
  return {
    ...session,
    getJobUri: rewrite(session.getJobUri),
    postResultUri: rewrite(session.postResultUri),
    postSchemaUri: rewrite(session.postSchemaUri),
    restartNotificationUri: rewrite(session.restartNotificationUri),
    environment,
  };
}
