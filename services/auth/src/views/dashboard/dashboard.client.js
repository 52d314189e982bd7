// @ts-check
/*
 * The dashboard's script, served as /_emulate/dashboard/dashboard.js: this file is what the browser
 * runs (plain JavaScript, no build step), type-checked by `npm run typecheck` against the route
 * declarations' types (the JSDoc imports below are types only). It reads each service's own list
 * routes through the gateway (relative URLs, so a path prefix works) every two seconds while the
 * tab is visible, and renders every value with textContent, never as HTML. The admin token the user
 * types is kept in sessionStorage and sent as a bearer token.
 */
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the page loads this file as a classic script, not a module.
  "use strict";

  /**
   * @typedef {import("@foundry-emulator/contract").JobPage} JobPage
   * @typedef {import("@foundry-emulator/contract").JobSummary} JobSummary
   * @typedef {import("@foundry-emulator/contract").JobDetail} JobDetail
   * @typedef {import("@foundry-emulator/contract").RuntimeSummary} RuntimeSummary
   * @typedef {import("@foundry-emulator/contract").DeployedAppSummary} DeployedAppSummary
   * @typedef {import("@foundry-emulator/contract").PrincipalSummary} PrincipalSummary
   * @typedef {import("@foundry-emulator/contract").OauthClientSummary} OauthClientSummary
   * @typedef {import("@foundry-emulator/contract").AccessTokenPage} AccessTokenPage
   * @typedef {import("@foundry-emulator/contract").PersonalTokenSummary} PersonalTokenSummary
   * @typedef {{ data: import("@foundry-emulator/http").JournalRecord[] }} JournalPage
   * @typedef {Node | string | null | undefined} Child
   * @typedef {{ cursor: string | null, next: string | null, filters: Record<string, string> }} PagedList
   */
  /**
   * @template T
   * @typedef {{ data: T[] }} List
   */

  const pollMs = 2000;
  const tokenKey = "foundry-emulator.adminToken";
  const urls = {
    jobs: "foundry/compute-modules/jobs",
    runtimes: "foundry/compute-modules/runtimes",
    deployedApps: "foundry/compute-modules/deployed-apps",
    principals: "foundry/principals",
    oauthClients: "foundry/oauth-clients",
    tokens: "foundry/tokens",
    personalTokens: "foundry/personal-tokens",
    requests: "requests",
  };

  const state = {
    /** @type {PagedList} */ jobs: { cursor: null, next: null, filters: {} },
    /** @type {PagedList} */ tokens: { cursor: null, next: null, filters: {} },
    requests: { filters: /** @type {Record<string, string>} */ ({}) },
    /** @type {string | null} */ selectedJobId: null,
    /** Principal id → username: jobs name their submitter by id (the auth service knows the names). */
    /** @type {Map<string, string>} */ usernames: new Map(),
    inFlight: false,
    again: false,
    unauthorized: false,
  };

  /**
   * The element a selector names (the page always has it).
   * @param {string} selector
   * @returns {HTMLElement}
   */
  function $(selector) {
    const node = document.querySelector(selector);
    if (!(node instanceof HTMLElement)) throw new Error(`the page has no ${selector}`);
    return node;
  }

  /** @param {string} selector */
  const select = (selector) => /** @type {HTMLSelectElement} */ ($(selector));
  /** @param {string} selector */
  const input = (selector) => /** @type {HTMLInputElement} */ ($(selector));

  function adminToken() {
    try {
      return sessionStorage.getItem(tokenKey) || "";
    } catch {
      return "";
    }
  }

  /**
   * @param {string} method
   * @param {string} url
   * @param {Record<string, string>} [extraHeaders]
   */
  function call(method, url, extraHeaders = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json", ...extraHeaders };
    const token = adminToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(url, { method, headers, cache: "no-store" });
  }

  // Marks the page's own polling (not its buttons), so the request journal can leave it out as it
  // leaves out health checks: the journal is for what applications did.
  const pollingHeaders = { "X-Foundry-Emulator-Poll": "dashboard" };

  /** @param {Record<string, string | number | null | undefined>} parameters */
  function query(parameters) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(parameters)) {
      if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
    }
    const text = search.toString();
    return text ? `?${text}` : "";
  }

  /**
   * An element with attributes and children (strings become text nodes: never HTML).
   * @param {string} tag
   * @param {Record<string, string | boolean | null | undefined | ((event: Event) => void)>} [attributes]
   * @param {Child[]} [children]
   */
  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (typeof value === "function") node.addEventListener(name === "onclick" ? "click" : name, value);
      else if (name === "className") node.className = String(value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === undefined || child === null) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** @param {string} text */
  const code = (text) => el("code", {}, [text]);
  /** @param {string} text */
  const muted = (text) => el("span", { className: "muted" }, [text]);

  /** @param {number} seconds */
  function span(seconds) {
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  /** @param {string} iso */
  function ago(iso) {
    const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    return seconds < 0 ? `in ${span(-seconds)}` : `${span(seconds)} ago`;
  }

  /** @param {number | null} ms */
  function duration(ms) {
    if (ms === null) return "–";
    if (ms < 1000) return `${ms} ms`;
    return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  }

  /** @param {number | null} count */
  function bytes(count) {
    if (count === null) return "–";
    if (count < 1024) return `${count} B`;
    if (count < 1048576) return `${(count / 1024).toFixed(1)} KiB`;
    return `${(count / 1048576).toFixed(1)} MiB`;
  }

  /** @param {string | null} iso @returns {Child} */
  const time = (iso) => (iso ? el("time", { datetime: iso, title: iso }, [ago(iso)]) : "–");

  /** @param {string[]} values @returns {Child[]} */
  const list = (values) => (values.length ? values.map((value) => el("div", {}, [code(value)])) : [muted("none")]);

  /**
   * Renders only what changed (so a selection or a hover survives a poll), and at least every
   * 15 s anyway, which keeps the relative times ("5 s ago") fresh.
   * @type {Record<string, { text: string, at: number }>}
   */
  const rendered = {};
  /** @param {string} key @param {unknown} data */
  function unchanged(key, data) {
    const text = JSON.stringify(data);
    const last = rendered[key];
    if (last && last.text === text && Date.now() - last.at < 15000) return true;
    rendered[key] = { text, at: Date.now() };
    return false;
  }

  /**
   * @template T
   * @param {string} table
   * @param {T[]} rows
   * @param {string} emptyText
   * @param {(row: T) => HTMLElement} renderRow
   */
  function renderRows(table, rows, emptyText, renderRow) {
    const body = $(`table[data-table="${table}"] tbody`);
    const columns = $(`table[data-table="${table}"] thead tr`).children.length;
    const fragment = document.createDocumentFragment();
    if (rows.length === 0) fragment.appendChild(el("tr", {}, [el("td", { colspan: String(columns), className: "muted" }, [emptyText])]));
    for (const row of rows) fragment.appendChild(renderRow(row));
    body.replaceChildren(fragment);
  }

  /** @param {string} text @param {"error"} [kind] */
  function banner(text, kind) {
    const node = $("#banner");
    if (!text) {
      node.hidden = true;
      node.textContent = "";
      return;
    }
    node.hidden = false;
    node.className = `banner${kind === "error" ? " error" : ""}`;
    node.textContent = text;
  }

  /** @param {Response} response */
  async function describeError(response) {
    try {
      const body = await response.json();
      const name = body.errorName || body.error || `HTTP ${response.status}`;
      const description = body.errorDescription || body.error_description || "";
      return name + (description ? `: ${description}` : "") + (body.errorInstanceId ? ` (errorInstanceId ${body.errorInstanceId})` : "");
    } catch {
      return `HTTP ${response.status}`;
    }
  }

  /**
   * A JSON route's answer; a 401 marks the page as needing the admin token.
   * @param {string} url
   */
  async function load(url) {
    const response = await call("GET", url, pollingHeaders);
    if (response.status === 401) {
      state.unauthorized = true;
      throw new Error("unauthorized");
    }
    if (!response.ok) throw new Error(await describeError(response));
    return response.json();
  }

  /** @param {string} method @param {string} url */
  async function act(method, url) {
    const response = await call(method, url);
    if (!response.ok) {
      banner((response.status === 401 ? "This action needs the admin token (FOUNDRY_ADMIN_TOKEN). " : "") + (await describeError(response)), "error");
      return;
    }
    banner("");
    refresh();
  }

  /** @param {string} status */
  const statusBadge = (status) => el("span", { className: `status status-${status}`, "data-field": "status" }, [status]);

  /** @param {JobSummary["submittedBy"]} principal */
  const usernameOf = (principal) => state.usernames.get(principal.id) ?? principal.id;

  /** @param {JobPage} page */
  function renderJobs(page) {
    if (unchanged("jobs", [page, state.selectedJobId, page.data.map((job) => usernameOf(job.submittedBy))])) return;
    const { counts } = page;
    $("#job-counts").textContent = `· ${counts.total} in all, ${counts.queued} queued, ${counts.inProgress} running`;
    state.jobs.next = page.nextCursor;
    renderRows("jobs", page.data, "No job matches.", (job) => {
      const active = job.status === "queued" || job.status === "inProgress";
      return el("tr", { "data-job-id": job.jobId, "data-status": job.status, className: job.jobId === state.selectedJobId ? "selected" : "" }, [
        el("td", {}, [
          el(
            "a",
            {
              href: "#jobs",
              onclick: (event) => {
                event.preventDefault();
                selectJob(job.jobId);
              },
            },
            [code(job.jobId)],
          ),
        ]),
        el("td", {}, [statusBadge(job.status), job.failureName ? el("div", { className: "muted", title: job.failureMessage || "" }, [job.failureName]) : null]),
        el("td", {}, [code(job.runtimeId), job.deployedAppRid ? el("div", { className: "muted" }, [`${job.deployedAppRid} · ${job.deployedAppBranch || ""}`]) : null]),
        el("td", {}, [code(job.queryType)]),
        el("td", {}, [usernameOf(job.submittedBy), job.submittedClientId ? el("div", { className: "muted" }, [job.submittedClientId]) : null]),
        el("td", {}, [time(job.createdAt)]),
        el("td", {}, [duration(job.waitMs)]),
        el("td", {}, [duration(job.runMs)]),
        el("td", {}, [String(job.attempts)]),
        el("td", {}, [bytes(job.resultBytes)]),
        el("td", {}, [
          active
            ? el("button", { type: "button", className: "danger", "data-action": "cancel", onclick: () => act("POST", `${urls.jobs}/${encodeURIComponent(job.jobId)}/cancel`) }, [
                "Cancel",
              ])
            : null,
          job.resultBytes !== null ? el("button", { type: "button", "data-action": "download", onclick: () => download(job.jobId) }, ["Download"]) : null,
        ]),
      ]);
    });
  }

  /** @param {string} jobId */
  function selectJob(jobId) {
    state.selectedJobId = state.selectedJobId === jobId ? null : jobId;
    refresh();
  }

  /** @param {JobDetail | null} job */
  function renderJobDetail(job) {
    if (unchanged("job", job)) return;
    const panel = $("#job-detail");
    if (!job) {
      panel.hidden = true;
      panel.replaceChildren();
      return;
    }
    panel.hidden = false;
    const { result } = job;
    /** @type {Child[]} */
    const children = [
      el("h3", {}, ["Job ", code(job.jobId), " ", statusBadge(job.status), " ", el("button", { type: "button", onclick: () => selectJob(job.jobId) }, ["Close"])]),
      el("p", {}, [
        "Created ",
        time(job.createdAt),
        " · taken after ",
        duration(job.waitMs),
        " · ran ",
        duration(job.runMs),
        " · total ",
        duration(job.totalMs),
        " · attempts ",
        String(job.attempts),
      ]),
      job.failureName ? el("p", {}, [code(job.failureName), " ", job.failureMessage || ""]) : null,
      el("h4", {}, ["Query ", code(job.queryType), job.queryTruncated ? muted(" (first 8 KiB)") : null]),
      el("pre", { "data-field": "query" }, [job.query]),
      el("h4", {}, [
        "Result ",
        result ? muted(bytes(result.bytes) + (result.truncated ? ", first 4 KiB" : "") + (result.encoding === "base64" ? ", binary (base64)" : "")) : muted("none yet"),
      ]),
      result ? el("pre", { "data-field": "result" }, [result.preview]) : null,
      result ? el("button", { type: "button", "data-action": "download", onclick: () => download(job.jobId) }, ["Download result"]) : null,
    ];
    panel.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
  }

  /** @param {string} jobId */
  async function download(jobId) {
    const response = await call("GET", `${urls.jobs}/${encodeURIComponent(jobId)}/result`);
    if (!response.ok) {
      banner(await describeError(response), "error");
      return;
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: match ? match[1] : `job-${jobId}-result` });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  /** @param {string} tokenId */
  const revokeButton = (tokenId) =>
    el("button", { type: "button", className: "danger", "data-action": "revoke", onclick: () => act("POST", `${urls.tokens}/${encodeURIComponent(tokenId)}/revoke`) }, ["Revoke"]);

  /** @param {AccessTokenPage} page */
  function renderTokens(page) {
    if (unchanged("tokens", page)) return;
    state.tokens.next = page.nextCursor;
    renderRows("tokens", page.data, "No active token matches.", (token) =>
      el("tr", { "data-token-id": token.tokenId }, [
        el("td", {}, [code(token.tokenId)]),
        el("td", {}, [token.kind, token.label ? el("div", { className: "muted" }, [token.label]) : null]),
        el("td", { "data-field": "principal" }, [token.principal.username || token.principal.id, token.principal.kind === "service" ? muted(" (service)") : null]),
        el("td", {}, [token.clientId || "–"]),
        el("td", {}, token.scopes.length ? token.scopes.map((scope) => el("div", {}, [code(scope)])) : [muted("none")]),
        el("td", {}, [time(token.issuedAt)]),
        el("td", {}, [token.expiresAt ? time(token.expiresAt) : "never"]),
        el("td", {}, [revokeButton(token.tokenId)]),
      ]),
    );
  }

  /** @param {JournalPage} page */
  function renderRequests(page) {
    if (unchanged("requests", page)) return;
    renderRows("requests", page.data, "No request recorded yet.", (entry) =>
      el("tr", { "data-request-id": entry.requestId }, [
        el("td", {}, [el("time", { datetime: entry.time, title: entry.time }, [entry.time.slice(11, 23)])]),
        el("td", {}, [entry.service]),
        el("td", {}, [entry.method]),
        el("td", {}, [code(entry.path)]),
        el("td", { className: `http-${String(entry.status).charAt(0)}` }, [String(entry.status)]),
        el("td", {}, [duration(entry.durationMs)]),
        el("td", {}, [entry.principal || "–"]),
        el("td", {}, [entry.clientId || "–"]),
        el("td", {}, [entry.grantType || "–"]),
        el("td", {}, [entry.oauthError ? code(entry.oauthError) : "–"]),
        el("td", {}, [code(entry.requestId)]),
      ]),
    );
  }

  /** @param {List<RuntimeSummary>} runtimes */
  function renderRuntimes({ data }) {
    if (unchanged("runtimes", data)) return;
    const runtimeSelect = select('#job-filters select[name="runtime"]');
    const selected = runtimeSelect.value;
    runtimeSelect.replaceChildren(
      el("option", { value: "" }, ["any"]),
      ...data.map((runtime) => el("option", { value: runtime.runtimeId, selected: runtime.runtimeId === selected }, [runtime.runtimeId])),
    );
    renderRows("runtimes", data, "No runtime.", (runtime) =>
      el("tr", { "data-runtime-id": runtime.runtimeId }, [
        el("td", {}, [code(runtime.runtimeId), runtime.displayName ? el("div", { className: "muted" }, [runtime.displayName]) : null]),
        el("td", {}, [el("span", { className: `dot ${runtime.connected ? "on" : "off"}` }), runtime.connected ? " connected" : " not polling"]),
        el("td", {}, [time(runtime.lastPollAt)]),
        el("td", {}, list(runtime.schemas)),
        el("td", {}, [String(runtime.queued)]),
        el("td", {}, [String(runtime.inProgress)]),
        el("td", {}, [String(runtime.maxConcurrentTasks)]),
        el("td", { "data-field": "module-auth-token" }, [runtime.generatedModuleAuthToken ? code(runtime.generatedModuleAuthToken) : muted("set by the seed or the session")]),
        el("td", {}, [runtime.origin]),
      ]),
    );
  }

  /** @param {List<DeployedAppSummary>} deployedApps */
  function renderDeployedApps({ data }) {
    if (unchanged("deployed-apps", data)) return;
    renderRows("deployed-apps", data, "No deployed app is bound.", (app) =>
      el("tr", {}, [
        el("td", {}, [code(app.rid), app.displayName ? el("div", { className: "muted" }, [app.displayName]) : null]),
        el("td", {}, [app.branch]),
        el("td", {}, [code(app.runtimeId)]),
        el("td", {}, [app.active ? "yes" : "no"]),
        el("td", {}, [app.origin]),
      ]),
    );
  }

  /** @param {List<PrincipalSummary>} principals */
  function renderPrincipals({ data }) {
    state.usernames = new Map(data.map((principal) => [principal.id, principal.username]));
    if (unchanged("principals", data)) return;
    renderRows("principals", data, "No principal.", (principal) =>
      el("tr", { "data-username": principal.username }, [
        el("td", {}, [principal.username]),
        el("td", {}, [principal.kind === "service" ? "service principal" : "user"]),
        el("td", {}, [principal.displayName || "–"]),
        el("td", {}, [principal.email || "–"]),
        el("td", {}, [code(principal.id)]),
        el("td", {}, [principal.active ? "yes" : "no"]),
        el("td", {}, [principal.origin]),
      ]),
    );
  }

  /** @param {List<OauthClientSummary>} clients */
  function renderClients({ data }) {
    if (unchanged("clients", data)) return;
    renderRows("clients", data, "No client is registered: the emulator runs in open mode.", (client) =>
      el("tr", { "data-client-id": client.clientId }, [
        el("td", {}, [code(client.clientId)]),
        el("td", {}, [client.name || "–"]),
        el("td", {}, [client.confidential ? "confidential" : "public (PKCE)"]),
        el("td", {}, [client.confidential ? `${client.secretCount} live` : "–"]),
        el("td", {}, list(client.grantTypes)),
        el("td", {}, client.allowedScopes.length ? list(client.allowedScopes) : [muted("any")]),
        el("td", {}, list(client.redirectUris)),
        el("td", {}, [client.origin]),
      ]),
    );
  }

  /** @param {List<PersonalTokenSummary>} personalTokens */
  function renderPersonalTokens({ data }) {
    if (unchanged("personal-tokens", data)) return;
    renderRows("personal-tokens", data, "No personal access token.", (token) => {
      const expired = token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now();
      return el("tr", { "data-token-id": token.tokenId }, [
        el("td", {}, [code(token.tokenId)]),
        el("td", {}, [token.username]),
        el("td", {}, [token.label || "–"]),
        el("td", {}, list(token.scopes)),
        el("td", {}, [time(token.createdAt)]),
        el("td", {}, [token.expiresAt ? time(token.expiresAt) : "never"]),
        el("td", {}, [token.revoked ? "revoked" : expired ? "expired" : "active"]),
        el("td", {}, [token.revoked || expired ? null : revokeButton(token.tokenId)]),
      ]);
    });
  }

  async function refresh() {
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    state.again = false;
    state.unauthorized = false;
    /** @type {string[]} */
    const failures = [];
    /** @param {Promise<unknown>} promise */
    const guard = (promise) =>
      promise.catch((error) => {
        failures.push(error instanceof Error ? error.message : String(error));
      });
    try {
      // Every route is asked at once; jobs are drawn once the principals are known, to name their submitters.
      const principals = guard(load(urls.principals).then(renderPrincipals));
      const selectedJobId = state.selectedJobId;
      await Promise.all([
        guard(Promise.all([load(urls.jobs + query({ cursor: state.jobs.cursor, ...state.jobs.filters })), principals]).then(([page]) => renderJobs(page))),
        guard(load(urls.tokens + query({ cursor: state.tokens.cursor, ...state.tokens.filters })).then(renderTokens)),
        guard(load(urls.requests + query({ limit: 100, ...state.requests.filters })).then(renderRequests)),
        guard(load(urls.runtimes).then(renderRuntimes)),
        guard(load(urls.deployedApps).then(renderDeployedApps)),
        guard(load(urls.oauthClients).then(renderClients)),
        guard(load(urls.personalTokens).then(renderPersonalTokens)),
        principals,
        selectedJobId
          ? guard(
              load(`${urls.jobs}/${encodeURIComponent(selectedJobId)}`).then(renderJobDetail, (error) => {
                state.selectedJobId = null;
                renderJobDetail(null);
                throw error;
              }),
            )
          : Promise.resolve(renderJobDetail(null)),
      ]);
      if (state.unauthorized) {
        banner(
          adminToken()
            ? "The admin token is not accepted: check the value of FOUNDRY_ADMIN_TOKEN."
            : "This emulator has FOUNDRY_ADMIN_TOKEN set: enter it above to see its data and use the buttons.",
        );
      } else if (failures.length) {
        banner(failures[0] ?? "", "error");
      } else if ($("#banner").className === "banner") {
        banner("");
      }
      $("#live-dot").className = `dot ${failures.length ? "off" : "on"}`;
      $("#updated-at").textContent = `updated ${new Date().toLocaleTimeString()}`;
    } finally {
      state.inFlight = false;
      if (state.again) refresh();
    }
  }

  /** @param {HTMLFormElement} form */
  function formValues(form) {
    /** @type {Record<string, string>} */
    const values = {};
    new FormData(form).forEach((value, key) => {
      values[key] = String(value).trim();
    });
    return values;
  }

  /** @param {string} formSelector @param {"jobs" | "tokens" | "requests"} section */
  function wireFilters(formSelector, section) {
    $(formSelector).addEventListener("submit", (event) => {
      event.preventDefault();
      const target = state[section];
      target.filters = formValues(/** @type {HTMLFormElement} */ (event.target));
      if ("cursor" in target) target.cursor = null;
      refresh();
    });
  }

  /** @param {"jobs" | "tokens"} section */
  function wirePager(section) {
    $(`[data-pager="${section}"] [data-page="newest"]`).addEventListener("click", () => {
      state[section].cursor = null;
      refresh();
    });
    $(`[data-pager="${section}"] [data-page="older"]`).addEventListener("click", () => {
      const { next } = state[section];
      if (next) {
        state[section].cursor = next;
        refresh();
      }
    });
  }

  wireFilters("#job-filters", "jobs");
  wireFilters("#token-filters", "tokens");
  wireFilters("#request-filters", "requests");
  wirePager("jobs");
  wirePager("tokens");
  for (const name of ["status", "runtime"]) {
    select(`#job-filters select[name="${name}"]`).addEventListener("change", (event) => /** @type {HTMLSelectElement} */ (event.target).form?.requestSubmit());
  }
  $("#clear-requests").addEventListener("click", () => act("DELETE", urls.requests));
  $("#admin-token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = input("#admin-token");
    const value = field.value.trim();
    try {
      if (value) sessionStorage.setItem(tokenKey, value);
      else sessionStorage.removeItem(tokenKey);
    } catch {
      // storage disabled
    }
    field.value = "";
    if (value) field.placeholder = "saved for this tab";
    banner("");
    refresh();
  });
  $("#admin-token-forget").addEventListener("click", () => {
    try {
      sessionStorage.removeItem(tokenKey);
    } catch {
      // storage disabled
    }
    refresh();
  });
  if (adminToken()) input("#admin-token").placeholder = "saved for this tab";

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
  setInterval(() => {
    if (!document.hidden) refresh();
  }, pollMs);
  refresh();
})();
