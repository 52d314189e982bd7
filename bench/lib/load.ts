import { Agent, request as httpRequest } from "node:http";
import autocannon, { type AutocannonOptions, type AutocannonRequest } from "autocannon";

/** Latency percentiles in ms over precise per-request timings (not autocannon's 1 ms buckets). */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

export function summarizeLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    p50: percentile(sorted as unknown as number[], 0.5),
    p99: percentile(sorted as unknown as number[], 0.99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

export interface LoadResult {
  /** Measured window, seconds. */
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  /** 2xx (and 3xx when a flow expects redirects) latencies. */
  latency: LatencySummary;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Completed units (flows, ...) counted by the scenario itself, per second. */
  unitsPerSecond?: number;
  units?: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** A short unmeasured run first, so the JIT has compiled the hot path. */
  warmupSeconds: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
  /** Statuses that count as success (default: 2xx). */
  expectedStatuses?: (status: number) => boolean;
}

function runOnce(options: AutocannonOptions, onResponse?: (status: number, milliseconds: number) => void) {
  return new Promise<{ requests: number; errors: number; timeouts: number; statusCounts: Record<string, number> }>((resolve, reject) => {
    const instance = autocannon({ ...options, timeout: 30 }, (error, result) => {
      if (error) return reject(error);
      const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, value]) => [status, value.count]));
      resolve({ requests: result.requests.total, errors: result.errors, timeouts: result.timeouts, statusCounts });
    });
    if (onResponse) instance.on("response", (_client: unknown, status: number, _bytes: number, milliseconds: number) => onResponse(status, milliseconds));
  });
}

/**
 * Drives a closed-loop load with autocannon (in this process; the server runs in its own), after
 * a warm-up. Latencies are recorded per response with autocannon's sub-millisecond timer.
 */
export async function driveLoad(options: LoadOptions, countUnit?: () => number): Promise<LoadResult> {
  const base: AutocannonOptions = {
    url: options.url,
    connections: options.connections,
    method: options.method ?? "GET",
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
  };
  if (options.warmupSeconds > 0) await runOnce({ ...base, duration: options.warmupSeconds });
  const unitsBefore = countUnit?.() ?? 0;
  const expected = options.expectedStatuses ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  const started = performance.now();
  const outcome = await runOnce({ ...base, duration: options.durationSeconds }, (status, milliseconds) => {
    if (expected(status)) latencies.push(milliseconds);
  });
  const seconds = (performance.now() - started) / 1000;
  const result: LoadResult = {
    seconds,
    requests: outcome.requests,
    requestsPerSecond: outcome.requests / seconds,
    latency: summarizeLatencies(latencies),
    statusCounts: outcome.statusCounts,
    errors: outcome.errors,
    timeouts: outcome.timeouts,
  };
  if (countUnit) {
    result.units = countUnit() - unitsBefore;
    result.unitsPerSecond = result.units / seconds;
  }
  return result;
}

/** Requests that did not get an expected status (or failed outright). */
export function unexpectedResponses(result: LoadResult, expected: (status: number) => boolean = (status) => status >= 200 && status < 300): number {
  let count = result.errors + result.timeouts;
  for (const [status, total] of Object.entries(result.statusCounts)) if (!expected(Number(status))) count += total;
  return count;
}

// ------------------------------------------------------------------ a small keep-alive client

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A keep-alive HTTP client with little overhead, for latency loops (fetch costs more per call). */
export function createHttpClient(baseUrl: string, maxSockets = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  function send(path: string, method: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<SimpleResponse> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
      const request = httpRequest(
        {
          agent,
          hostname: base.hostname,
          port: base.port,
          method,
          path,
          headers: payload ? { ...headers, "Content-Length": String(payload.length) } : headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  }
  return { send, close: () => agent.destroy() };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
