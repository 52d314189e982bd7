// Builds the images the Docker tests run, once per `npm run test:docker`: the emulator (the
// repository's Dockerfile, as `docker compose` and FoundryEmulatorContainer use it by default) and
// the example compute modules (TypeScript and Python). Layers are cached, so an unchanged tree
// rebuilds in seconds.
import { performance } from "node:perf_hooks";
import { docker, emulatorImage, exampleModuleImage, pythonModuleImage, repositoryRoot } from "./support/docker";

export default async function setup() {
  for (const variable of ["TESTCONTAINERS_RYUK_DISABLED", "TESTCONTAINERS_HOST_OVERRIDE"]) {
    if (!process.env[variable])
      console.warn(`[docker tests] ${variable} is not set (on machines without a registry: TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1)`);
  }
  await docker(["version", "--format", "{{.Server.Version}}"], 15_000).catch((error: Error) => {
    throw new Error(`the Docker tests need a Docker engine (bash ../shared/docker/setup-offline-docker.sh): ${error.message}`);
  });
  for (const [image, context] of [
    [emulatorImage, repositoryRoot],
    [exampleModuleImage, `${repositoryRoot}/examples/compute-module`],
    [pythonModuleImage, `${repositoryRoot}/examples/python-compute-module`],
  ] as const) {
    const started = performance.now();
    await docker(["build", "-q", "-t", image, context], 900_000);
    const { stdout } = await docker(["image", "inspect", "-f", "{{.Size}}", image]);
    console.log(`[docker tests] built ${image} in ${((performance.now() - started) / 1000).toFixed(1)} s (${(Number(stdout.trim()) / 1e6).toFixed(0)} MB)`);
  }
}
