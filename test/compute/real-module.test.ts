import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { jobs } from "@foundry-emulator/db";
import { servicePrincipalIdFor } from "@foundry-emulator/config";
import { mintAccessToken } from "../support/tokens";
import { startComputeEmulator, type ComputeEmulator } from "./support/compute-emulator";
import { bytesOf, contourClient, openRuntime, serviceAppToken, startModuleProcess, waitForFinalStatus, type ModuleProcess, type RuntimeSession } from "./support/compute-client";

const deployedAppRid = "ri.foundry.main.deployed-app.3f1f7a52-1d5e-4c4e-9a57-2f0c1e9b7d10";

async function waitForSchemas(contour: ReturnType<typeof contourClient>, module: ModuleProcess) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await contour.schemas(deployedAppRid);
    const schemas = (await response.json()) as Array<{ functionName: string }>;
    if (schemas.length > 0) return schemas;
    if (Date.now() > deadline) throw new Error(`the module never posted its schemas: ${module.output()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

for (const transport of ["http", "https"] as const) {
  describe(`a real @palantir/compute-module process over ${transport}`, () => {
    let emulator: ComputeEmulator;
    let session: RuntimeSession;
    let module: ModuleProcess;
    let contour: ReturnType<typeof contourClient>;

    beforeAll(async () => {
      // A short poll wait: the SDK posts its schemas after its first 2xx poll answer.
      emulator = await startComputeEmulator({ tls: transport === "https", environment: { FOUNDRY_JOB_POLL_WAIT_MS: "500" } });
      session = await openRuntime(emulator.baseUrl, { runtimeId: `example-${transport}`, deployedAppRid, filesDirectory: join(emulator.directory, "module-files") });
      module = startModuleProcess(session);
      contour = contourClient(emulator.baseUrl, await serviceAppToken(emulator.baseUrl));
    });

    afterAll(async () => {
      await module?.stop();
      await emulator?.stop();
    });

    it(`gets a ${transport} environment and posts its function schemas`, async () => {
      expect(session.getJobUri.startsWith(`${transport}://127.0.0.1:`)).toBe(true);
      if (transport === "https") {
        expect(session.environment.DEFAULT_CA_PATH).toBe(join(emulator.directory, "module-files", "ca.pem"));
        expect(session.environment.RUNTIME_PORT).toBe(String(emulator.tls!.port));
      }
      const schemas = await waitForSchemas(contour, module);
      expect(schemas.map((schema) => schema.functionName)).toEqual(["add", "explode", "greet"]);
      expect(schemas[0]).toEqual({
        functionName: "add",
        inputs: [
          { name: "x", required: true, dataType: { type: "integer", integer: {} }, constraints: [] },
          { name: "y", required: true, dataType: { type: "integer", integer: {} }, constraints: [] },
        ],
        output: { type: "single", single: { dataType: { type: "integer", integer: {} } } },
        issues: [],
      });
    });

    it("answers sync execute with the module's bytes", async () => {
      const response = await contour.execute({ deployedAppRid, deployedAppBranch: "master", queryType: "add", query: { x: 2, y: 40 } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect((await bytesOf(response)).toString("utf8")).toBe("42");

      const greeting = await contour.execute({ deployedAppRid, queryType: "greet", query: { name: "Ada" } });
      expect(greeting.status).toBe(200);
      expect(JSON.parse((await bytesOf(greeting)).toString("utf8"))).toEqual({ greeting: "Hello, Ada!", pid: module.child.pid });
    });

    it("passes a throwing function's error result through sync execute unchanged", async () => {
      const response = await contour.execute({ deployedAppRid, queryType: "explode", query: { message: "out of range" } });
      expect(response.status).toBe(200);
      expect((await bytesOf(response)).toString("utf8")).toBe(JSON.stringify({ error: "RangeError", reason: "out of range" }));
    });

    it("runs async jobs: submit, status, result — visible only to the service principal that submitted them", async () => {
      const submitted = await contour.submit({ deployedAppRid, queryType: "add", query: { x: 20, y: 22 } });
      expect(submitted.status).toBe(200);
      const job = (await submitted.json()) as { id: string; status: { type: string } };
      expect(["queued", "inProgress", "succeeded"]).toContain(job.status.type);
      const status = await waitForFinalStatus(contour, job.id);
      expect(status).toEqual({ type: "succeeded", succeeded: { intermediateJobInfoList: [] } });
      const result = await contour.resultV2(job);
      expect(result.status).toBe(200);
      expect((await bytesOf(result)).toString("utf8")).toBe("42");
      const row = emulator.platform.database.select().from(jobs).where(eq(jobs.id, job.id)).get();
      expect(row!.submittedBy).toBe(servicePrincipalIdFor("service-app"));
      const alice = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "alice" })).token);
      expect((await alice.result(job.id)).status).toBe(403);
    });

    it("reports a throwing function's async job as failed, with its message", async () => {
      const submitted = (await (await contour.submit({ deployedAppRid, queryType: "explode", query: { message: "nope" } })).json()) as { id: string };
      const status = (await waitForFinalStatus(contour, submitted.id)) as { type: string; failed: { exception: { errorType: { name: string }; message: string } } };
      expect(status.type).toBe("failed");
      expect(status.failed.exception.errorType.name).toBe("ComputeModules:ModuleReportedError");
      expect(status.failed.exception.message).toBe("RangeError: nope");
      const result = await contour.result(submitted.id);
      expect(result.status).toBe(409);
      expect(((await result.json()) as { errorName: string }).errorName).toBe("ModuleGroupMultiplexer:JobFailed");
    });

    it("collects a streamed (chunked) result whole", async () => {
      const response = await contour.execute({ deployedAppRid, queryType: "count", query: { upTo: 50 } });
      expect(response.status).toBe(200);
      const expected = Array.from({ length: 50 }, (_, index) => `${JSON.stringify({ index: index + 1 })}\n`).join("");
      expect((await bytesOf(response)).toString("utf8")).toBe(expected);
    });

    it("serves concurrent sync calls from several users", async () => {
      const bob = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "bob" })).token);
      const calls = Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? bob : contour)
          .execute({ deployedAppRid, queryType: "add", query: { x: index, y: 1000 } })
          .then(async (response) => (await bytesOf(response)).toString("utf8")),
      );
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, index) => String(index + 1000)));
    });
  });
}
