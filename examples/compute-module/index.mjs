// An example compute module on the unmodified @palantir/compute-module SDK. Nothing here knows
// about the emulator: the SDK reads GET_JOB_URI, POST_RESULT_URI, POST_SCHEMA_URI and
// MODULE_AUTH_TOKEN (a file path) exactly as in a Foundry container, long-polls for jobs, posts its
// function schemas once the runtime answers, and posts each result.
import { ComputeModule } from "@palantir/compute-module";
import { Type } from "@sinclair/typebox";

const verbose = process.env.EXAMPLE_MODULE_VERBOSE === "1";
const logger = verbose ? console : { log() {}, info() {}, warn: console.warn, error: console.error };

new ComputeModule({
  logger,
  definitions: {
    add: { input: Type.Object({ x: Type.Integer(), y: Type.Integer() }), output: Type.Integer() },
    greet: { input: Type.Object({ name: Type.String() }), output: Type.String() },
    sleep: { input: Type.Object({ ms: Type.Integer() }), output: Type.Integer() },
  },
})
  .register("add", async ({ x, y }) => x + y)
  .register("greet", async ({ name }) => `Hello, ${name}!`)
  // Takes its time: shows a job staying in progress (and surviving a runtime restart).
  .register("sleep", async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number(ms) || 0, 60_000)));
    return ms;
  })
  // A streamed result: one JSON line per number, posted as a chunked body while it is produced.
  .registerStreaming("count", async ({ upTo }, writable) => {
    for (let index = 1; index <= Math.min(Number(upTo) || 0, 10_000); index += 1) {
      writable.write(`${JSON.stringify({ index })}\n`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    writable.end();
  });

console.log(JSON.stringify({ msg: "example compute module started", getJobUri: process.env.GET_JOB_URI }));
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => process.exit(0));
