import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform, listen, listenTls, type Platform, type RunningServer } from "@foundry-emulator/bootstrap";
import { loadEnvironment } from "@foundry-emulator/config";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { createGatewayApp } from "@foundry-emulator/gateway";
import { loadOrCreateTlsMaterial, type TlsMaterial } from "@foundry-emulator/tls";
import { defaultSeedPath, freePort } from "../../support/emulator";

export interface ComputeEmulator {
  baseUrl: string;
  port: number;
  /** The running platform (a new one after each restart). */
  readonly platform: Platform;
  databasePath: string;
  directory: string;
  tls: { port: number; baseUrl: string; material: TlsMaterial } | undefined;
  /**
   * What a process restart does, in this process: the listeners close (held long-polls are cut)
   * and the database closes, then a new platform opens the same file and listens on the same ports.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ComputeEmulatorOptions {
  environment?: Record<string, string>;
  seed?: string;
  now?: () => number;
  /** Start the HTTPS listener too (FOUNDRY_TLS_PORT on a free port). */
  tls?: boolean;
}

/**
 * The all-in-one emulator in this process, like test/support/emulator.ts's startEmulator, but on a
 * port known BEFORE start-up, so FOUNDRY_PUBLIC_URL (from which the runtime endpoint builds the
 * module's URIs) names the real listener; optionally with the TLS listener, as runService starts it.
 */
export async function startComputeEmulator(options: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const directory = mkdtempSync(join(tmpdir(), "foundry-emulator-compute-"));
  const databasePath = join(directory, "foundry.db");
  let seedPath = defaultSeedPath;
  if (options.seed !== undefined) {
    seedPath = join(directory, "seed.yaml");
    writeFileSync(seedPath, options.seed);
  }
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const environment = loadEnvironment({
    PORT: String(port),
    HOST: "127.0.0.1",
    FOUNDRY_DB: databasePath,
    FOUNDRY_SEED: seedPath,
    FOUNDRY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: "silent",
    ...(tlsPort !== undefined ? { FOUNDRY_TLS_PORT: String(tlsPort) } : {}),
    ...options.environment,
  });

  async function boot() {
    const platform = await createPlatform(environment, options.now ? { now: options.now } : {});
    const app = createGatewayApp({ auth: createAuthApp(platform), compute: createComputeApp(platform) });
    const running = await listen(app, port, "127.0.0.1");
    let runningTls: RunningServer | undefined;
    let tls: ComputeEmulator["tls"];
    if (tlsPort !== undefined) {
      const material = loadOrCreateTlsMaterial(platform.database, { databasePath, publicUrl: environment.FOUNDRY_PUBLIC_URL });
      runningTls = await listenTls(app, tlsPort, "127.0.0.1", { key: material.serverPrivateKeyPem, cert: material.serverCertificatePem });
      tls = { port: tlsPort, baseUrl: `https://127.0.0.1:${tlsPort}`, material };
    }
    return {
      platform,
      tls,
      async shutdown() {
        await Promise.all([running.close(), runningTls?.close()]);
        platform.database.$client.close();
      },
    };
  }

  let current = await boot();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    get platform() {
      return current.platform;
    },
    databasePath,
    directory,
    tls: current.tls,
    async restart() {
      await current.shutdown();
      current = await boot();
    },
    async stop() {
      await current.shutdown();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
