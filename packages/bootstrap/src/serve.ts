import { createServer as createHttpsServer } from "node:https";
import { serve, type ServerType } from "@hono/node-server";
import type { Hono } from "hono";
import { ConfigurationError, loadEnvironment, SeedError, type Environment } from "@foundry-emulator/config";
import { loggerFor, requestObservabilityOf } from "@foundry-emulator/http";
import { tlsMaterialFor } from "@foundry-emulator/tls";
import { createPlatform, type Platform } from "./platform";

export interface RunningServer {
  server: ServerType;
  port: number;
  close(): Promise<void>;
}

/** Listens on a port; resolves once it is bound (port 0 picks a free one). */
export function listen(app: Pick<Hono, "fetch">, port: number, hostname: string): Promise<RunningServer> {
  return bind((onListening) => serve({ fetch: app.fetch, port, hostname }, onListening));
}

export interface TlsCredentials {
  key: string;
  cert: string;
}

/** Listens with HTTPS (the emulator's own certificate); resolves once it is bound. */
export function listenTls(app: Pick<Hono, "fetch">, port: number, hostname: string, credentials: TlsCredentials): Promise<RunningServer> {
  return bind((onListening) =>
    serve({ fetch: app.fetch, port, hostname, createServer: createHttpsServer, serverOptions: { key: credentials.key, cert: credentials.cert } }, onListening),
  );
}

function bind(start: (onListening: (info: { port: number }) => void) => ServerType): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = start((info) => {
      resolve({
        server,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Long-polls would hold close() open; end idle and active sockets.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}

/**
 * The entry point of every service: validate the environment, build the platform, serve, and
 * stop cleanly on SIGTERM/SIGINT. A bad configuration or seed exits with status 1 and a clear
 * message instead of a stack trace.
 */
export async function runService(name: string, createApp: (platform: Platform) => Pick<Hono, "fetch">): Promise<void> {
  let environment: Environment;
  let platform: Platform;
  try {
    environment = loadEnvironment();
    platform = await createPlatform(environment);
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof SeedError) {
      console.error(`foundry-emulator (${name}): ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const app = createApp(platform);
  const running = await listen(app, environment.PORT, environment.HOST);
  const logger = loggerFor(environment.LOG_LEVEL);
  for (const warning of platform.seedWarnings) logger.warn({ service: name, seed: environment.FOUNDRY_SEED, path: warning.path }, warning.message);
  logger.info({ service: name, port: running.port, publicUrl: environment.FOUNDRY_PUBLIC_URL, database: environment.FOUNDRY_DB }, "listening");
  // The optional HTTPS listener serves the same app, with a certificate from the emulator's own CA
  // (compute-module SDKs, Python's in particular, only talk HTTPS to their runtime).
  let runningTls: RunningServer | undefined;
  if (environment.FOUNDRY_TLS_PORT !== undefined) {
    const tls = tlsMaterialFor(platform.database, environment);
    runningTls = await listenTls(app, environment.FOUNDRY_TLS_PORT, environment.HOST, { key: tls.serverPrivateKeyPem, cert: tls.serverCertificatePem });
    logger.info({ service: name, port: runningTls.port, caPath: tls.caPath }, "listening (TLS)");
  }
  const stop = async () => {
    await Promise.all([running.close(), runningTls?.close()]);
    requestObservabilityOf(platform).journal.flush(); // the last requests' entries, before the database closes
    platform.database.$client.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
