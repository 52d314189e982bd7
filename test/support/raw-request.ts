import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request through Node's own client, where fetch would not do: any Host, Origin or Sec-Fetch-Site
 * header (what an attacker's browser sends), or HTTPS trusting only a given CA.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {}): Promise<RawResponse> {
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: options.method ?? "GET", headers: options.headers, ...(options.ca !== undefined ? { ca: options.ca } : {}) }, (incoming) => {
      let body = "";
      incoming.setEncoding("utf8");
      incoming.on("data", (chunk) => (body += chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
    });
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}
