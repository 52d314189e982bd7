// A minimal compute module for the memory benchmark: it speaks the runtime protocol directly
// (GET .../job long-poll, POST .../results/<jobId>) with several pollers in flight, so that the
// emulator, not the module, is what limits how fast 100,000 jobs go through the real routes.
// Environment: GET_JOB_URI, POST_RESULT_URI, MODULE_AUTH_TOKEN_VALUE, POLLERS (default 4).
import { Agent, request } from "node:http";

const getJobUri = new URL(process.env.GET_JOB_URI);
const postResultUri = new URL(process.env.POST_RESULT_URI);
const moduleAuthToken = process.env.MODULE_AUTH_TOKEN_VALUE;
const pollers = Number(process.env.POLLERS ?? 4);
const agent = new Agent({ keepAlive: true, maxSockets: pollers * 2 });
let completed = 0;
let stopping = false;

function send(url, method, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const outgoing = request(
      url,
      {
        agent,
        method,
        headers: { "Module-Auth-Token": moduleAuthToken, ...(payload ? { "Content-Type": "application/octet-stream", "Content-Length": String(payload.length) } : {}) },
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

async function poller() {
  while (!stopping) {
    try {
      const job = await send(getJobUri, "GET");
      if (job.status !== 200) continue;
      const { computeModuleJobV1: v1 } = JSON.parse(job.body.toString("utf8"));
      const { x = 0, y = 0 } = v1.query ?? {};
      const answer = await send(new URL(`${postResultUri.pathname}/${encodeURIComponent(v1.jobId)}`, postResultUri), "POST", JSON.stringify(x + y));
      if (answer.status === 204) completed += 1;
    } catch (error) {
      if (!stopping) process.stderr.write(`fast-module: ${error}\n`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

setInterval(() => process.stdout.write(`${JSON.stringify({ completed })}\n`), 1000).unref();
process.once("SIGTERM", () => {
  stopping = true;
  process.exit(0);
});
await Promise.all(Array.from({ length: pollers }, poller));
