import type { JournalRecord } from "@foundry-emulator/http";
import { basicAuthorization } from "../../support/oauth";

export interface JournalPage {
  data: JournalRecord[];
  nextCursor: string | null;
  capacity: number;
}

const bearer = (token: string | undefined): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

/** GET /_emulate/requests (as JSON, and as the raw text for "never contains" assertions). */
export async function readJournal(baseUrl: string, query: Record<string, string> = {}, adminToken?: string): Promise<JournalPage & { text: string }> {
  const response = await fetch(`${baseUrl}/_emulate/requests?${new URLSearchParams(query)}`, { headers: bearer(adminToken) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`journal: ${response.status} ${text}`);
  return { ...(JSON.parse(text) as JournalPage), text };
}

/** Waits until the journal holds an entry matching `predicate` (another process flushes every ~200 ms). */
export async function waitForJournalEntry(baseUrl: string, predicate: (record: JournalRecord) => boolean, timeoutMs = 5000): Promise<JournalRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readJournal(baseUrl, { limit: "1000" })).data.find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("no matching journal entry");
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** POST /_emulate/foundry/tokens: an access token for a seeded user. */
export async function mintToken(baseUrl: string, username: string, scopes: string[], adminToken?: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_emulate/foundry/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...bearer(adminToken) },
    body: JSON.stringify({ username, scopes }),
  });
  if (response.status !== 200) throw new Error(`mint: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export const contourBase = "/contour-backend-multiplexer/api/module-group-multiplexer";
export const agentLoopRid = "ri.foundry.main.deployed-app.agent-loop";
export const moduleAuthToken = "local-module-auth-token";

/** Submits an async job to the seeded agent-loop deployed app; answers its id. */
export async function submitJob(baseUrl: string, token: string, query: unknown, queryType = "echo"): Promise<string> {
  const response = await fetch(`${baseUrl}${contourBase}/deployed-apps/jobs`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ deployedAppRid: agentLoopRid, deployedAppBranch: "master", queryType, query }),
  });
  if (response.status !== 200) throw new Error(`submit: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Acts as the agent-loop module: takes the next job (long-poll) and answers the job id, or undefined. */
export async function takeJob(baseUrl: string): Promise<{ jobId: string; query: unknown } | undefined> {
  const response = await fetch(`${baseUrl}/_emulate/foundry/compute-modules/runtimes/agent-loop/job`, { headers: { "Module-Auth-Token": moduleAuthToken } });
  if (response.status === 204) return undefined;
  if (response.status !== 200) throw new Error(`poll: ${response.status} ${await response.text()}`);
  const job = (await response.json()) as { computeModuleJobV1: { jobId: string; query: unknown } };
  return { jobId: job.computeModuleJobV1.jobId, query: job.computeModuleJobV1.query };
}

/** Acts as the agent-loop module: posts a job's result. */
export async function postJobResult(baseUrl: string, jobId: string, body: string | Uint8Array<ArrayBuffer>): Promise<void> {
  const response = await fetch(`${baseUrl}/_emulate/foundry/compute-modules/runtimes/agent-loop/results/${jobId}`, {
    method: "POST",
    headers: { "Module-Auth-Token": moduleAuthToken, "Content-Type": "application/octet-stream" },
    body,
  });
  if (response.status !== 204) throw new Error(`result: ${response.status} ${await response.text()}`);
}

export const serviceAppBasic = basicAuthorization("service-app", "service-app-secret");
