import type { Context } from "hono";
import { z } from "zod";
import { functionSchemas, immediateTransaction } from "@foundry-emulator/db";
import { publicUrlFor } from "@foundry-emulator/http";
import { signAccessToken, randomSecret } from "@foundry-emulator/tokens";
import { eq } from "drizzle-orm";
import type { ComputeDependencies } from "../../dependencies";
import { readBodyBytes, readJsonBody } from "../../http/read-body";
import { runtimeKey } from "../../queue/wake-ups";
import { computeErrors } from "../../wire/errors";
import { computeModuleJobOf, jobFailures } from "../../wire/job-status";
import type { RuntimeBindings } from "./module-authentication";
import { runtimeEndpoints } from "./runtime-environment";
import { openRuntimeSession } from "./runtime-sessions";

const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)");

const runtimeSessionBody = z.object({
  runtimeId: identifier.optional(),
  displayName: z.string().min(1).max(200).optional(),
  deployedAppRid: z
    .string()
    .regex(/^ri\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9-]+\.[A-Za-z0-9._-]+$/, "a resource identifier such as ri.foundry.main.deployed-app.<id>")
    .optional(),
  branch: z.string().min(1).max(200).default("master"),
  /** Where the module will read its files (module token, CA); the caller writes them there. */
  filesDirectory: z.string().startsWith("/", "an absolute path").default("/tmp/foundry-compute-module"),
  /** Handed to the module as MAX_CONCURRENT_TASKS and enforced: never more jobs in flight at once. */
  maxConcurrentTasks: z.number().int().positive().max(1024).default(1),
});

/** What the Python and TypeScript SDKs post: an array of function specs, each naming its function. */
const functionSchemasBody = z.array(z.looseObject({ functionName: z.string().min(1).max(512) })).max(10_000);

/** The routes a compute-module container talks to, plus the session endpoint that sets it up. */
export function createRuntimeHandlers(dependencies: ComputeDependencies) {
  const { platform, settings, queue, wakeUps, sweeper } = dependencies;
  const { database } = platform;

  return {
    /** POST /runtimes: create or reset a session; answers the module's complete environment. */
    async openSession(context: Context<RuntimeBindings>) {
      // An empty body is allowed: a session with a generated id.
      const body = await readJsonBody(context.req.raw, settings.maxJsonBodyBytes, runtimeSessionBody, { emptyAs: {} });
      const session = openRuntimeSession(dependencies, {
        runtimeId: body.runtimeId ?? crypto.randomUUID(),
        displayName: body.displayName,
        deployedAppRid: body.deployedAppRid,
        branch: body.branch,
        maxConcurrentTasks: body.maxConcurrentTasks,
      });
      const endpoints = runtimeEndpoints({
        environment: platform.environment,
        tls: dependencies.tls,
        runtimeId: session.runtimeId,
        moduleAuthToken: session.moduleAuthToken,
        filesDirectory: body.filesDirectory,
        maxConcurrentTasks: body.maxConcurrentTasks,
        publicUrl: publicUrlFor(context, platform.environment.FOUNDRY_PUBLIC_URL),
      });
      return context.json(
        {
          runtimeId: session.runtimeId,
          displayName: session.displayName,
          deployedAppRid: session.deployedAppRid,
          branch: session.branch,
          moduleAuthToken: session.moduleAuthToken,
          ...endpoints,
          failedJobIds: session.failedJobIds,
        },
        session.created ? 201 : 200,
      );
    },

    /**
     * GET .../job: long-polls. Holds the request until a job can be handed out — one is queued and
     * the runtime runs fewer than its max_concurrent_tasks — (woken by an event in this process, or
     * by another process's commit) or the poll wait passes (204).
     */
    async getJob(context: Context<RuntimeBindings>) {
      // HEAD runs this GET route (its guard included) but must change nothing: no job is handed out.
      if (context.req.method === "HEAD") return context.body(null, 204);
      const runtime = context.get("runtime");
      const signal = context.req.raw.signal;
      queue.touchRuntime(runtime.id);
      const deadline = performance.now() + settings.pollWaitMs;
      for (;;) {
        const version = wakeUps.dataVersion();
        const dispatch = queue.dispatchNext(runtime.id, runtime.moduleAuthTokenHash);
        if (dispatch.kind === "session-ended") throw computeErrors.moduleAuthTokenInvalid();
        if (dispatch.kind === "job") {
          const { job, tokenClaims } = dispatch;
          if (job.leaseExpiresAt !== null) sweeper.leaseStarted(job.leaseExpiresAt);
          const accessToken = await signAccessToken(platform.signingKey, platform.issuer, tokenClaims);
          if (signal.aborted) {
            // The poller left while we claimed the job: put it back for the next one.
            queue.release(job);
            return context.body(null, 204);
          }
          return context.json(computeModuleJobOf(job, { temporaryCredentialsAuthToken: randomSecret(), accessToken }), 200);
        }
        const outcome = await wakeUps.wait(runtimeKey(runtime.id), { version, timeoutMs: deadline - performance.now(), signal });
        if (outcome === "timeout" || outcome === "aborted") return context.body(null, 204);
      }
    },

    /** POST .../schemas: the module's function specs, replacing what it posted before. */
    async postSchemas(context: Context<RuntimeBindings>) {
      const runtime = context.get("runtime");
      const specifications = await readJsonBody(context.req.raw, settings.maxJsonBodyBytes, functionSchemasBody);
      const at = platform.now();
      immediateTransaction(database, () => {
        database.delete(functionSchemas).where(eq(functionSchemas.runtimeId, runtime.id)).run();
        for (const specification of specifications) {
          database
            .insert(functionSchemas)
            .values({ runtimeId: runtime.id, functionName: specification.functionName, specification, updatedAt: at })
            .onConflictDoUpdate({ target: [functionSchemas.runtimeId, functionSchemas.functionName], set: { specification, updatedAt: at } })
            .run();
        }
      });
      return context.body(null, 204);
    },

    /** POST .../results/:jobId: the module's raw result bytes, stored unchanged. */
    async postResult(context: Context<RuntimeBindings>) {
      const runtime = context.get("runtime");
      const jobId = context.req.param("jobId") ?? "";
      // Refuse early (before reading a large body) when the job cannot take a result.
      const known = queue.find(jobId);
      if (!known || known.runtimeId !== runtime.id) throw computeErrors.runtimeJobNotFound(runtime.id, jobId);
      if (known.status === "queued" && known.attempts === 0) throw computeErrors.jobNotDispatched(jobId);
      if (known.status !== "queued" && known.status !== "inProgress") throw computeErrors.resultAlreadyFinished(known);
      const bytes = await readBodyBytes(context.req.raw, settings.maxResultBytes);
      const outcome = queue.postResult(runtime.id, jobId, bytes);
      if (!outcome.ok) throw outcome.error;
      return context.body(null, 204);
    },

    /**
     * POST .../restart: the module restarted, so the jobs it was running are lost. They are FAILED
     * (`ComputeModules:ModuleRestarted`), not re-queued: the protocol reports them as removed, and
     * a job that crashed its module would otherwise crash it again. Answers their ids.
     */
    async restart(context: Context<RuntimeBindings>) {
      const runtime = context.get("runtime");
      const failed = queue.failInFlight(runtime.id, jobFailures.moduleRestarted, "The compute module restarted while running the job.");
      return context.json(
        failed.map((job) => job.id),
        200,
      );
    },
  };
}
