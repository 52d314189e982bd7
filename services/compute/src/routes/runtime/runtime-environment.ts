import { posix } from "node:path";
import type { Environment } from "@foundry-emulator/config";
import { runtimesPath } from "@foundry-emulator/contract";
import type { TlsMaterial } from "@foundry-emulator/tls";

/** A file the module expects at a path, with the content to put there. */
export interface ModuleFile {
  path: string;
  content: string;
  /** The environment variables that name this path. */
  environmentVariables: string[];
}

export interface RuntimeEndpoints {
  getJobUri: string;
  postResultUri: string;
  postSchemaUri: string;
  restartNotificationUri: string;
  environment: Record<string, string>;
  files: ModuleFile[];
}

export interface RuntimeEnvironmentRequest {
  environment: Environment;
  tls: TlsMaterial | undefined;
  runtimeId: string;
  moduleAuthToken: string;
  /** Where the module will find its files (token, CA); the caller writes them there. */
  filesDirectory: string;
  maxConcurrentTasks: number;
  /** The base URL the caller reached the emulator by (X-Forwarded-* behind a proxy); defaults to FOUNDRY_PUBLIC_URL. */
  publicUrl?: string;
}

/**
 * The runtime's address as a module sees it: the HTTPS listener when there is one (the Python SDK
 * only speaks HTTPS to its runtime), on the host of FOUNDRY_PUBLIC_URL so it works from inside a
 * container; otherwise FOUNDRY_PUBLIC_URL itself.
 */
function runtimeBase(environment: Environment, tls: TlsMaterial | undefined, publicUrlText = environment.FOUNDRY_PUBLIC_URL) {
  const publicUrl = new URL(publicUrlText);
  if (tls && environment.FOUNDRY_TLS_PORT) {
    const port = String(environment.FOUNDRY_TLS_PORT);
    return { origin: `https://${publicUrl.hostname}:${port}`, pathPrefix: "", host: publicUrl.hostname.replace(/^\[(.*)\]$/, "$1"), port };
  }
  const port = publicUrl.port || (publicUrl.protocol === "https:" ? "443" : "80");
  return { origin: publicUrl.origin, pathPrefix: publicUrl.pathname.replace(/\/+$/, ""), host: publicUrl.hostname.replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * Everything a real compute module needs to reach this runtime: the URIs, and the complete set of
 * reserved environment variables the TypeScript, Python and Java SDKs read (C.1 of the protocol
 * reference), with the files they name (MODULE_AUTH_TOKEN is a path; write the file with no
 * trailing newline).
 */
export function runtimeEndpoints(request: RuntimeEnvironmentRequest): RuntimeEndpoints {
  const base = runtimeBase(request.environment, request.tls, request.publicUrl);
  const runtimePath = `${base.pathPrefix}${runtimesPath}/${encodeURIComponent(request.runtimeId)}`;
  const paths = {
    getJob: `${runtimePath}/job`,
    postResult: `${runtimePath}/results`,
    postSchema: `${runtimePath}/schemas`,
    restart: `${runtimePath}/restart`,
  };
  const tokenPath = posix.join(request.filesDirectory, "module-auth-token");
  const files: ModuleFile[] = [{ path: tokenPath, content: request.moduleAuthToken, environmentVariables: ["MODULE_AUTH_TOKEN"] }];
  const environment: Record<string, string> = {
    GET_JOB_URI: `${base.origin}${paths.getJob}`,
    POST_RESULT_URI: `${base.origin}${paths.postResult}`,
    POST_SCHEMA_URI: `${base.origin}${paths.postSchema}`,
    RESTART_NOTIFICATION_URI: `${base.origin}${paths.restart}`,
    GET_JOB_PATH: paths.getJob,
    POST_RESULT_PATH: paths.postResult,
    RUNTIME_HOST: base.host,
    RUNTIME_PORT: base.port,
    RUNTIME_API: `${base.host.includes(":") ? `[${base.host}]` : base.host}:${base.port}`,
    MAX_CONCURRENT_TASKS: String(request.maxConcurrentTasks),
    MODULE_AUTH_TOKEN: tokenPath,
  };
  if (request.tls) {
    const caPath = posix.join(request.filesDirectory, "ca.pem");
    environment.DEFAULT_CA_PATH = caPath;
    environment.CONNECTIONS_TO_OTHER_PODS_CA_PATH = caPath;
    files.push({ path: caPath, content: request.tls.caCertificatePem, environmentVariables: ["DEFAULT_CA_PATH", "CONNECTIONS_TO_OTHER_PODS_CA_PATH"] });
  }
  return {
    getJobUri: environment.GET_JOB_URI!,
    postResultUri: environment.POST_RESULT_URI!,
    postSchemaUri: environment.POST_SCHEMA_URI!,
    restartNotificationUri: environment.RESTART_NOTIFICATION_URI!,
    environment,
    files,
  };
}
