import { html } from "hono/html";

export interface DashboardPageOptions {
  /** FOUNDRY_ADMIN_TOKEN is set: the data and the buttons need it. */
  adminTokenConfigured: boolean;
  journalCapacity: number;
}

const jobStatusOptions = ["queued", "inProgress", "succeeded", "failed", "canceled"];

/**
 * The dashboard's shell: sections with empty tables that dashboard.js fills from the JSON data
 * routes and refreshes every two seconds while the tab is visible. Every link is relative to
 * /_emulate/, so the page works behind a path prefix. hono/html escapes every interpolated value.
 */
export function dashboardPage({ adminTokenConfigured, journalCapacity }: DashboardPageOptions) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Dashboard · foundry-emulator</title>
    <link rel="icon" href="data:," />
    <style>
      :root { color-scheme: light; --border: #d3d8de; --muted: #5f6b7c; --accent: #2d72d2; }
      * { box-sizing: border-box; }
      body { font-family: system-ui, sans-serif; margin: 0; color: #1c2127; background: #f6f7f9; font-size: 14px; }
      header { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center;
        padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--border); }
      header nav a { color: var(--accent); text-decoration: none; margin-right: .6rem; }
      main { padding: 0 1.2rem 3rem; }
      section { background: #fff; border: 1px solid var(--border); border-radius: 6px; padding: .4rem 1rem 1rem; margin: 1rem 0; overflow-x: auto; }
      h2 { font-size: 1.1rem; margin: .6rem 0; } h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
      .muted { color: var(--muted); }
      .banner { margin: 1rem 1.2rem 0; padding: .6rem 1rem; border-left: 4px solid #c87619; background: #fef6ea; }
      .banner.error { border-color: #ac2f33; background: #fdf3f3; }
      table.data { border-collapse: collapse; width: 100%; }
      table.data th, table.data td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #edeff2; vertical-align: top; }
      table.data th { font-weight: 600; color: var(--muted); white-space: nowrap; }
      table.data tr.selected td { background: #eef4fc; }
      td code, .detail code { font-size: 12px; }
      .filters { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: end; margin: .4rem 0 .6rem; }
      .filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
      input, select, button { font: inherit; }
      button { border: 1px solid var(--border); background: #fff; border-radius: 4px; padding: .15rem .6rem; cursor: pointer; }
      button:hover { border-color: var(--accent); }
      button.danger { color: #ac2f33; }
      .pager { margin-top: .5rem; display: flex; gap: .5rem; }
      .status { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: 12px; font-weight: 600; background: #edeff2; }
      .status-queued { background: #fef6ea; color: #935610; } .status-inProgress { background: #eef4fc; color: #215db0; }
      .status-succeeded { background: #eefaf4; color: #1c6e42; } .status-failed { background: #fdf3f3; color: #ac2f33; }
      .status-canceled { background: #f1f3f5; color: #5f6b7c; }
      .http-4, .http-5 { color: #ac2f33; font-weight: 600; }
      .dot { display: inline-block; width: .6rem; height: .6rem; border-radius: 50%; background: #c5cbd3; }
      .dot.on { background: #32a467; } .dot.off { background: #c5cbd3; }
      .detail { border: 1px solid var(--border); border-radius: 6px; margin-top: .8rem; padding: .4rem 1rem 1rem; background: #fbfcfd; }
      .detail pre { background: #f1f3f5; padding: .5rem; border-radius: 4px; max-height: 16rem; overflow: auto; white-space: pre-wrap; word-break: break-all; }
      .admin-token { display: flex; gap: .4rem; align-items: center; margin-left: auto; }
    </style>
  </head>
  <body data-admin-token-configured="${adminTokenConfigured ? "true" : "false"}">
    <header>
      <div class="brand"><strong>foundry-emulator</strong> <span class="muted">dashboard</span></div>
      <nav>
        <a href="#jobs">Jobs</a> <a href="#tokens">Tokens</a> <a href="#requests">Requests</a> <a href="#runtimes">Runtimes</a>
        <a href="#principals">Principals</a> <a href="#clients">OAuth clients</a> <a href="#personal-tokens">Personal tokens</a>
      </nav>
      <form id="admin-token-form" class="admin-token" autocomplete="off">
        <label>Admin token <input id="admin-token" type="password" placeholder="${adminTokenConfigured ? "required on this emulator" : "not required here"}" /></label>
        <button type="submit">Use</button>
        <button type="button" id="admin-token-forget">Forget</button>
      </form>
      <div class="live"><span id="live-dot" class="dot"></span> <span id="updated-at" class="muted">loading…</span></div>
    </header>
    <div id="banner" class="banner" hidden></div>
    <main>
      <section id="jobs">
        <h2>Jobs <span id="job-counts" class="muted"></span></h2>
        <form id="job-filters" class="filters">
          <label>Status
            <select name="status">
              <option value="">any</option>
              ${jobStatusOptions.map((status) => html`<option value="${status}">${status}</option>`)}
            </select>
          </label>
          <label>Runtime <select name="runtime"><option value="">any</option></select></label>
          <label>Job id <input name="jobId" size="38" placeholder="exact id" /></label>
          <button type="submit">Filter</button>
        </form>
        <table class="data" data-table="jobs">
          <thead>
            <tr><th>Job</th><th>Status</th><th>Runtime · app</th><th>Query type</th><th>Submitted by</th><th>Created</th><th>Wait</th><th>Run</th><th>Attempts</th><th>Result</th><th></th></tr>
          </thead>
          <tbody><tr><td colspan="11" class="muted">Loading…</td></tr></tbody>
        </table>
        <div class="pager" data-pager="jobs"><button type="button" data-page="newest">Newest</button> <button type="button" data-page="older">Older →</button></div>
        <div id="job-detail" class="detail" hidden></div>
      </section>

      <section id="tokens">
        <h2>Active access tokens</h2>
        <form id="token-filters" class="filters">
          <label>Principal <input name="principal" placeholder="username or client id" /></label>
          <label>Client <input name="client" placeholder="client id" /></label>
          <label>Kind <select name="kind"><option value="">any</option><option value="oauth">oauth</option><option value="personal">personal</option></select></label>
          <button type="submit">Filter</button>
        </form>
        <table class="data" data-table="tokens">
          <thead><tr><th>Token id</th><th>Kind</th><th>Principal</th><th>Client</th><th>Scopes</th><th>Issued</th><th>Expires</th><th></th></tr></thead>
          <tbody><tr><td colspan="8" class="muted">Loading…</td></tr></tbody>
        </table>
        <div class="pager" data-pager="tokens"><button type="button" data-page="newest">First</button> <button type="button" data-page="older">Next →</button></div>
        <p class="muted">Token values are never stored in clear, so they cannot be shown. Revoking an access token revokes that token only; a refresh token of its grant can still mint a new one.</p>
      </section>

      <section id="requests">
        <h2>Requests <span class="muted">(the last ${journalCapacity})</span></h2>
        <form id="request-filters" class="filters">
          <label>Status <select name="status"><option value="">any</option><option value="2xx">2xx</option><option value="3xx">3xx</option><option value="4xx">4xx</option><option value="5xx">5xx</option><option value="error">errors</option></select></label>
          <label>Path contains <input name="path" /></label>
          <button type="submit">Filter</button>
          <button type="button" id="clear-requests" class="danger">Clear journal</button>
        </form>
        <table class="data" data-table="requests">
          <thead><tr><th>Time</th><th>Service</th><th>Method</th><th>Path</th><th>Status</th><th>Duration</th><th>Principal</th><th>Client</th><th>Grant type</th><th>OAuth error</th><th>Request id</th></tr></thead>
          <tbody><tr><td colspan="11" class="muted">Loading…</td></tr></tbody>
        </table>
      </section>

      <section id="runtimes">
        <h2>Compute-module runtimes</h2>
        <table class="data" data-table="runtimes">
          <thead><tr><th>Runtime</th><th>Connected</th><th>Last poll</th><th>Schemas posted</th><th>Queued</th><th>Running</th><th>Max tasks</th><th>Module auth token</th><th>Origin</th></tr></thead>
          <tbody><tr><td colspan="9" class="muted">Loading…</td></tr></tbody>
        </table>
        <h3>Deployed-app bindings</h3>
        <table class="data" data-table="deployed-apps">
          <thead><tr><th>Deployed app</th><th>Branch</th><th>Runtime</th><th>Active</th><th>Origin</th></tr></thead>
          <tbody><tr><td colspan="5" class="muted">Loading…</td></tr></tbody>
        </table>
      </section>

      <section id="principals">
        <h2>Users and service principals</h2>
        <table class="data" data-table="principals">
          <thead><tr><th>Username</th><th>Kind</th><th>Display name</th><th>Email</th><th>Id</th><th>Active</th><th>Origin</th></tr></thead>
          <tbody><tr><td colspan="7" class="muted">Loading…</td></tr></tbody>
        </table>
      </section>

      <section id="clients">
        <h2>OAuth clients</h2>
        <table class="data" data-table="clients">
          <thead><tr><th>Client id</th><th>Name</th><th>Type</th><th>Secrets</th><th>Grant types</th><th>Allowed scopes</th><th>Redirect URIs</th><th>Origin</th></tr></thead>
          <tbody><tr><td colspan="8" class="muted">Loading…</td></tr></tbody>
        </table>
        <p class="muted">Client secrets are stored as digests and never shown; rotate them through the control plane.</p>
      </section>

      <section id="personal-tokens">
        <h2>Personal access tokens</h2>
        <table class="data" data-table="personal-tokens">
          <thead><tr><th>Token id</th><th>User</th><th>Label</th><th>Scopes</th><th>Created</th><th>Expires</th><th>State</th><th></th></tr></thead>
          <tbody><tr><td colspan="8" class="muted">Loading…</td></tr></tbody>
        </table>
      </section>
    </main>
    <script src="dashboard/dashboard.js" defer></script>
  </body>
</html>`;
}
