import type { Context } from "hono";
import { jobListQuerySchema } from "@foundry-emulator/contract";
import { foundryErrors, parseQuery, type ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { jobDetail, listJobs } from "./job-listing";
import { listDeployedApps, listRuntimes } from "./runtime-listing";

type ControlContext = Context<ServiceBindings>;

/** A module that polled this recently is connected: the poll wait, plus a margin for the next poll to arrive. */
const connectedMarginMs = 15_000;

/** What the control plane (and the dashboard) reads of runtimes, bindings and jobs: always current, never cached. */
export function createComputeListingHandlers({ platform, settings }: ComputeDependencies) {
  const { database } = platform;
  const fresh = (context: ControlContext) => context.header("Cache-Control", "no-store");

  return {
    /** GET /jobs?status=&runtime=&jobId=&cursor=&limit= (and its dashboard alias). */
    listJobs(context: ControlContext) {
      const query = parseQuery(context, jobListQuerySchema);
      fresh(context);
      return context.json(
        listJobs(database, {
          status: query.status,
          runtimeId: query.runtime,
          jobId: query.jobId,
          before: query.cursor === undefined ? undefined : Number(query.cursor),
          limit: query.limit,
        }),
      );
    },

    /** GET /jobs/:jobId (and its dashboard alias): with its query and a preview of its result. */
    getJob(context: ControlContext) {
      const jobId = context.req.param("jobId") ?? "";
      const job = jobDetail(database, jobId);
      // The name the dashboard's job route always answered (cancel and result answer the multiplexer's).
      if (!job) throw foundryErrors.notFound("ComputeModules:JobNotFound", { jobId }, "No job with this id (finished jobs are removed after the retention period).");
      fresh(context);
      return context.json(job);
    },

    /** GET /runtimes */
    listRuntimes(context: ControlContext) {
      fresh(context);
      return context.json({ data: listRuntimes(database, platform.now(), settings.pollWaitMs + connectedMarginMs) });
    },

    /** GET /deployed-apps */
    listDeployedApps(context: ControlContext) {
      fresh(context);
      return context.json({ data: listDeployedApps(database) });
    },
  };
}
