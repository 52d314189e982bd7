import { html } from "hono/html";
import { pageLayout } from "./page-layout";

export interface PickerUser {
  username: string;
  displayName: string | null;
  email: string | null;
}

/** The sign-in page: pick one of the seeded humans. The form carries only the request id. */
export function userPickerPage(options: { requestId: string; clientName: string; scopes: string[]; users: PickerUser[]; pathPrefix?: string }) {
  const { requestId, clientName, scopes, users } = options;
  // Behind a proxy that mounts the emulator under a path (X-Forwarded-Prefix), post back through it.
  const action = `${options.pathPrefix ?? ""}/multipass/api/oauth2/authorize/callback`;
  return pageLayout(
    "Sign in",
    html`<h1>Sign in to <span data-testid="client-name">${clientName}</span></h1>
      <p class="muted">
        Requested scopes: ${scopes.length ? scopes.map((scope, index) => html`${index ? " " : ""}<code>${scope}</code>`) : html`<em>none</em>`}
      </p>
      <form method="post" action="${action}">
        <input type="hidden" name="request_id" value="${requestId}" />
        <div class="users">
          ${
            users.length
              ? users.map(
                  (user) =>
                    html`<button class="user" type="submit" name="username" value="${user.username}" data-username="${user.username}">
                    <strong>${user.displayName ?? user.username}</strong><br /><span class="muted">${user.username}${user.email ? html` · ${user.email}` : ""}</span>
                  </button>`,
                )
              : html`<p class="error">No active user is seeded: add one under <code>foundry.users</code>.</p>`
          }
        </div>
        <button class="deny" type="submit" name="decision" value="deny">Deny access</button>
      </form>`,
  );
}
