import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";

/**
 * Header reads and writes that every request makes (request id, CORS, body limit, bearer token),
 * done on Node's own objects when the app runs under @hono/node-server (which passes them as
 * `env.incoming` / `env.outgoing`), and through Hono otherwise (`app.request` in tests).
 *
 * Why: `context.header()` makes Hono build a WHATWG `Headers` for the response, which
 * @hono/node-server then converts back into a plain object — several microseconds a request,
 * a tenth of a getCurrent. A header set on the `ServerResponse` is merged by node:http with the
 * handler's own headers at `writeHead` (the handler's value wins for the same name), so every
 * response of the request carries it, error responses included. Request headers are read from
 * `IncomingMessage.headers`, which Node's parser has already validated (no CR, LF or NUL),
 * trimmed and lower-cased — what @hono/node-server's own lookup returns for HTTP/1.1.
 */
interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

const bindingsOf = (context: Context): NodeBindings | undefined => context.env as NodeBindings | undefined;

/** A request header (`lowerCaseName` must be lower case), or undefined when absent. */
export function requestHeader(context: Context, lowerCaseName: string): string | undefined {
  const headers = bindingsOf(context)?.incoming?.headers;
  if (headers) {
    const value = headers[lowerCaseName];
    return typeof value === "string" ? value : undefined;
  }
  return context.req.header(lowerCaseName);
}

/** Sets a header on whatever response this request ends with. */
export function setResponseHeader(context: Context, name: string, value: string): void {
  const outgoing = bindingsOf(context)?.outgoing;
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value);
  else context.header(name, value);
}

/** The request target as sent (`/path?query`), or the full URL outside Node; for its query part. */
export function requestTarget(context: Context): string {
  return bindingsOf(context)?.incoming?.url ?? context.req.url;
}
