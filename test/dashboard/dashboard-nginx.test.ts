// The dashboard as the compose stack serves it: Debian's nginx with the configuration rendered from
// the route table, in front of the auth and compute services (two platforms on one database file,
// as the two containers share one volume). The page and its data come from auth, job actions
// from compute, and the journal holds both services' requests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlatform, listen, type Platform, type RunningServer } from "@foundry-emulator/bootstrap";
import { loadEnvironment } from "@foundry-emulator/config";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { composeNginxOptions, renderNginxHttpPrelude, renderNginxServer } from "../../services/gateway/src/nginx/render-nginx-config";
import { nginxDirectory, nginxMainConfig, requireNginx, startNginx, type NginxProcess } from "../gateway/nginx-process";
import { defaultSeedPath, freePort } from "../support/emulator";
import { getCurrent } from "../support/oauth";
import { mintToken, submitJob, waitForJournalEntry } from "./support/dashboard-client";

describe("the dashboard behind the gateway's nginx", () => {
  const databaseDirectory = mkdtempSync(join(tmpdir(), "foundry-emulator-dashboard-nginx-"));
  let platforms: Platform[] = [];
  let services: RunningServer[] = [];
  let nginx: NginxProcess;
  let gateway = "";

  beforeAll(async () => {
    requireNginx();
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    const environment = loadEnvironment({
      PORT: "0",
      HOST: "127.0.0.1",
      FOUNDRY_DB: join(databaseDirectory, "foundry.db"),
      FOUNDRY_SEED: defaultSeedPath,
      FOUNDRY_PUBLIC_URL: gateway,
      LOG_LEVEL: "silent",
    });
    platforms = [await createPlatform(environment), await createPlatform(environment)];
    const auth = await listen(createAuthApp(platforms[0]!), 0, "127.0.0.1");
    const compute = await listen(createComputeApp(platforms[1]!), 0, "127.0.0.1");
    services = [auth, compute];
    const defaults = loadEnvironment({});
    const server = renderNginxServer({
      listen: `127.0.0.1:${port}`,
      upstreams: { auth: `127.0.0.1:${auth.port}`, compute: `127.0.0.1:${compute.port}` },
      readTimeoutSeconds: composeNginxOptions().readTimeoutSeconds,
      maxBodyBytes: defaults.FOUNDRY_MAX_BODY_BYTES,
      maxResultBytes: defaults.FOUNDRY_MAX_RESULT_BYTES,
      maxSnapshotBytes: defaults.FOUNDRY_MAX_SNAPSHOT_BYTES,
    });
    const directory = nginxDirectory();
    nginx = await startNginx(directory, nginxMainConfig(directory, [renderNginxHttpPrelude(), server]), port);
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(services.map((service) => service.close()));
    for (const platform of platforms) platform.database.$client.close();
    rmSync(databaseDirectory, { recursive: true, force: true });
  });

  it("serves the page and its script at /_emulate/, and sends /_emulate there", async () => {
    const page = await fetch(`${gateway}/_emulate/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="dashboard/dashboard.js" defer></script>');
    expect((await fetch(`${gateway}/_emulate/dashboard/dashboard.js`)).status).toBe(200);
    const bare = await fetch(`${gateway}/_emulate`, { redirect: "manual" });
    // nginx itself redirects a bare prefix of a `/_emulate/` location (301); the service would (302).
    expect([301, 302]).toContain(bare.status);
    expect(new URL(bare.headers.get("Location")!, `${gateway}/_emulate`).pathname).toBe("/_emulate/");
  });

  it("lists a job, cancels it through compute, revokes a token through auth, and journals both services", async () => {
    const token = await mintToken(gateway, "alice", ["api:admin-read"]);
    const jobId = await submitJob(gateway, token, { through: "nginx" });
    const listed = (await (await fetch(`${gateway}/_emulate/dashboard/data/jobs?status=queued`)).json()) as { data: Array<{ jobId: string }> };
    expect(listed.data.map((job) => job.jobId)).toContain(jobId);

    const canceled = await fetch(`${gateway}/_emulate/foundry/compute-modules/jobs/${jobId}/cancel`, { method: "POST" });
    expect(canceled.status).toBe(200);
    expect(await canceled.json()).toMatchObject({ jobId, status: "canceled" });
    const detail = (await (await fetch(`${gateway}/_emulate/dashboard/data/jobs/${jobId}`)).json()) as { status: string };
    expect(detail.status).toBe("canceled");

    const { data } = (await (await fetch(`${gateway}/_emulate/dashboard/data/tokens?principal=alice`)).json()) as { data: Array<{ tokenId: string }> };
    expect((await getCurrent(gateway, token)).status).toBe(200);
    expect((await fetch(`${gateway}/_emulate/foundry/tokens/${data[0]!.tokenId}/revoke`, { method: "POST" })).status).toBe(200);
    expect((await getCurrent(gateway, token)).status).toBe(401);

    // The compute process's entries reach the journal the auth service reads (a flush later).
    const cancelEntry = await waitForJournalEntry(gateway, (record) => record.path === `/_emulate/foundry/compute-modules/jobs/${jobId}/cancel`);
    expect(cancelEntry).toMatchObject({ service: "compute", method: "POST", status: 200 });
    expect(cancelEntry.requestId).toBe(canceled.headers.get("X-Request-Id"));
    await waitForJournalEntry(gateway, (record) => record.service === "auth" && record.path === "/api/v2/admin/users/getCurrent" && record.status === 401);
  });
});
