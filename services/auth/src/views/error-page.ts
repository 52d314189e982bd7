import { html } from "hono/html";
import { pageLayout } from "./page-layout";

/** Shown instead of redirecting when the client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1). */
export function authorizationErrorPage(error: string, description: string) {
  return pageLayout(
    "Authorization error",
    html`<h1>Authorization error</h1>
      <div class="error"><p><code data-testid="error">${error}</code></p><p>${description}</p></div>
      <p class="muted">The application's request was not valid, so it was not sent back to the application.</p>`,
  );
}
