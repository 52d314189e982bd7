/**
 * The dashboard's script (served as /_emulate/dashboard/dashboard.js): it polls the JSON data
 * routes every two seconds while the tab is visible, and renders every value with textContent
 * (never as HTML). The admin token the user types is kept in sessionStorage and sent as a bearer
 * token. Plain ES2017, no build step: the source below is what the browser runs (kept free of
 * template literals so it can live in this String.raw).
 */
export const dashboardScript = String.raw`(function () {
  "use strict";
  var pollMs = 2000;
  var tokenKey = "foundry-emulator.adminToken";
  var state = {
    jobs: { cursor: null, next: null, filters: {} },
    tokens: { cursor: null, next: null, filters: {} },
    requests: { filters: {} },
    selectedJobId: null,
    inFlight: false,
    again: false,
    unauthorized: false
  };

  function $(selector, root) { return (root || document).querySelector(selector); }

  function adminToken() {
    try { return sessionStorage.getItem(tokenKey) || ""; } catch (error) { return ""; }
  }

  function headers() {
    var result = { Accept: "application/json" };
    var token = adminToken();
    if (token) result.Authorization = "Bearer " + token;
    return result;
  }

  function call(method, url) {
    return fetch(url, { method: method, headers: headers(), cache: "no-store" });
  }

  function query(parameters) {
    var search = new URLSearchParams();
    Object.keys(parameters).forEach(function (key) {
      var value = parameters[key];
      if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
    });
    var text = search.toString();
    return text ? "?" + text : "";
  }

  /** An element with attributes and children (strings become text nodes: never HTML). */
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === undefined || value === null || value === false) return;
      if (name === "className") node.className = value;
      else if (name === "onclick") node.addEventListener("click", value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === undefined || child === null) return;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    });
    return node;
  }

  function code(text) { return el("code", {}, [text]); }
  function muted(text) { return el("span", { className: "muted" }, [text]); }

  function ago(iso) {
    if (!iso) return "–";
    var seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 0) return "in " + span(-seconds);
    return span(seconds) + " ago";
  }

  function span(seconds) {
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.round(seconds / 60) + " min";
    if (seconds < 172800) return Math.round(seconds / 3600) + " h";
    return Math.round(seconds / 86400) + " d";
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms < 1000) return ms + " ms";
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
  }

  function bytes(count) {
    if (count === null || count === undefined) return "–";
    if (count < 1024) return count + " B";
    if (count < 1048576) return (count / 1024).toFixed(1) + " KiB";
    return (count / 1048576).toFixed(1) + " MiB";
  }

  function time(iso) {
    return iso ? el("time", { datetime: iso, title: iso }, [ago(iso)]) : "–";
  }

  /**
   * Renders only what changed (so a selection or a hover survives a poll), and at least every
   * 15 s anyway, which keeps the relative times ("5 s ago") fresh.
   */
  var rendered = {};
  function unchanged(key, data) {
    var text = JSON.stringify(data);
    var last = rendered[key];
    if (last && last.text === text && Date.now() - last.at < 15000) return true;
    rendered[key] = { text: text, at: Date.now() };
    return false;
  }

  function renderRows(table, rows, emptyText, renderRow) {
    var body = $('table[data-table="' + table + '"] tbody');
    var columns = $('table[data-table="' + table + '"] thead tr').children.length;
    var fragment = document.createDocumentFragment();
    if (rows.length === 0) fragment.appendChild(el("tr", {}, [el("td", { colspan: columns, className: "muted" }, [emptyText])]));
    rows.forEach(function (row) { fragment.appendChild(renderRow(row)); });
    body.replaceChildren(fragment);
  }

  function banner(text, kind) {
    var node = $("#banner");
    if (!text) { node.hidden = true; node.textContent = ""; return; }
    node.hidden = false;
    node.className = "banner" + (kind === "error" ? " error" : "");
    node.textContent = text;
  }

  async function describeError(response) {
    try {
      var body = await response.json();
      var name = body.errorName || body.error || ("HTTP " + response.status);
      var description = body.errorDescription || body.error_description || "";
      return name + (description ? ": " + description : "") + (body.errorInstanceId ? " (errorInstanceId " + body.errorInstanceId + ")" : "");
    } catch (error) {
      return "HTTP " + response.status;
    }
  }

  /** GETs JSON; a 401 means the admin token is needed (or wrong). */
  async function load(url) {
    var response = await call("GET", url);
    if (response.status === 401) {
      state.unauthorized = true;
      throw new Error("unauthorized");
    }
    if (!response.ok) throw new Error(await describeError(response));
    return response.json();
  }

  async function act(method, url, done) {
    var response = await call(method, url);
    if (!response.ok) {
      banner((response.status === 401 ? "This action needs the admin token (FOUNDRY_ADMIN_TOKEN). " : "") + (await describeError(response)), "error");
      return;
    }
    banner("");
    if (done) done(response);
    refresh();
  }

  function statusBadge(status) {
    return el("span", { className: "status status-" + status, "data-field": "status" }, [status]);
  }

  function renderJobs(page) {
    if (unchanged("jobs", [page, state.selectedJobId])) return;
    var counts = page.counts;
    $("#job-counts").textContent = "· " + counts.total + " in all, " + counts.queued + " queued, " + counts.inProgress + " running";
    state.jobs.next = page.nextCursor;
    renderRows("jobs", page.data, "No job matches.", function (job) {
      var active = job.status === "queued" || job.status === "inProgress";
      return el("tr", { "data-job-id": job.jobId, "data-status": job.status, className: job.jobId === state.selectedJobId ? "selected" : "" }, [
        el("td", {}, [el("a", { href: "#jobs", onclick: function (event) { event.preventDefault(); selectJob(job.jobId); } }, [code(job.jobId)])]),
        el("td", {}, [statusBadge(job.status), job.failureName ? el("div", { className: "muted", title: job.failureMessage || "" }, [job.failureName]) : null]),
        el("td", {}, [code(job.runtimeId), job.deployedAppRid ? el("div", { className: "muted" }, [job.deployedAppRid + " · " + (job.deployedAppBranch || "")]) : null]),
        el("td", {}, [code(job.queryType)]),
        el("td", {}, [job.submittedBy.username || job.submittedBy.id, job.submittedClientId ? el("div", { className: "muted" }, [job.submittedClientId]) : null]),
        el("td", {}, [time(job.createdAt)]),
        el("td", {}, [duration(job.waitMs)]),
        el("td", {}, [duration(job.runMs)]),
        el("td", {}, [String(job.attempts)]),
        el("td", {}, [job.resultBytes === null ? "–" : bytes(job.resultBytes)]),
        el("td", {}, [
          active ? el("button", { type: "button", className: "danger", "data-action": "cancel", onclick: function () { act("POST", "foundry/compute-modules/jobs/" + encodeURIComponent(job.jobId) + "/cancel"); } }, ["Cancel"]) : null,
          job.resultBytes !== null ? el("button", { type: "button", "data-action": "download", onclick: function () { download(job.jobId); } }, ["Download"]) : null
        ])
      ]);
    });
  }

  function selectJob(jobId) {
    state.selectedJobId = state.selectedJobId === jobId ? null : jobId;
    refresh();
  }

  function renderJobDetail(job) {
    if (unchanged("job", job)) return;
    var panel = $("#job-detail");
    if (!job) { panel.hidden = true; panel.replaceChildren(); return; }
    panel.hidden = false;
    var result = job.result;
    panel.replaceChildren.apply(panel, [
      el("h3", {}, ["Job ", code(job.jobId), " ", statusBadge(job.status), " ", el("button", { type: "button", onclick: function () { selectJob(job.jobId); } }, ["Close"])]),
      el("p", {}, [
        "Created ", time(job.createdAt), " · taken after ", duration(job.waitMs), " · ran ", duration(job.runMs), " · total ", duration(job.totalMs),
        " · attempts ", String(job.attempts)
      ]),
      job.failureName ? el("p", {}, [code(job.failureName), " ", job.failureMessage || ""]) : null,
      el("h4", {}, ["Query ", code(job.queryType), job.queryTruncated ? muted(" (first 8 KiB)") : null]),
      el("pre", { "data-field": "query" }, [job.query]),
      el("h4", {}, ["Result ", result ? muted(bytes(result.bytes) + (result.truncated ? ", first 4 KiB" : "") + (result.encoding === "base64" ? ", binary (base64)" : "")) : muted("none yet")]),
      result ? el("pre", { "data-field": "result" }, [result.preview]) : null,
      result ? el("button", { type: "button", "data-action": "download", onclick: function () { download(job.jobId); } }, ["Download result"]) : null
    ].filter(Boolean));
  }

  async function download(jobId) {
    var response = await call("GET", "foundry/compute-modules/jobs/" + encodeURIComponent(jobId) + "/result");
    if (!response.ok) { banner(await describeError(response), "error"); return; }
    var disposition = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(disposition);
    var url = URL.createObjectURL(await response.blob());
    var link = el("a", { href: url, download: match ? match[1] : "job-" + jobId + "-result" }, []);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function revokeButton(tokenId) {
    return el("button", { type: "button", className: "danger", "data-action": "revoke", onclick: function () { act("POST", "foundry/tokens/" + encodeURIComponent(tokenId) + "/revoke"); } }, ["Revoke"]);
  }

  function renderTokens(page) {
    if (unchanged("tokens", page)) return;
    state.tokens.next = page.nextCursor;
    renderRows("tokens", page.data, "No active token matches.", function (token) {
      return el("tr", { "data-token-id": token.tokenId }, [
        el("td", {}, [code(token.tokenId)]),
        el("td", {}, [token.kind, token.label ? el("div", { className: "muted" }, [token.label]) : null]),
        el("td", { "data-field": "principal" }, [token.principal.username || token.principal.id, token.principal.kind === "service" ? muted(" (service)") : null]),
        el("td", {}, [token.clientId || "–"]),
        el("td", {}, token.scopes.length ? token.scopes.map(function (scope) { return el("div", {}, [code(scope)]); }) : [muted("none")]),
        el("td", {}, [time(token.issuedAt)]),
        el("td", {}, [token.expiresAt ? time(token.expiresAt) : "never"]),
        el("td", {}, [revokeButton(token.tokenId)])
      ]);
    });
  }

  function renderRequests(page) {
    if (unchanged("requests", page)) return;
    renderRows("requests", page.data, "No request recorded yet.", function (entry) {
      return el("tr", { "data-request-id": entry.requestId }, [
        el("td", {}, [el("time", { datetime: entry.time, title: entry.time }, [entry.time.slice(11, 23)])]),
        el("td", {}, [entry.service]),
        el("td", {}, [entry.method]),
        el("td", {}, [code(entry.path)]),
        el("td", { className: "http-" + String(entry.status).charAt(0) }, [String(entry.status)]),
        el("td", {}, [duration(entry.durationMs)]),
        el("td", {}, [entry.principal || "–"]),
        el("td", {}, [entry.clientId || "–"]),
        el("td", {}, [entry.grantType || "–"]),
        el("td", {}, [entry.oauthError ? code(entry.oauthError) : "–"]),
        el("td", {}, [code(entry.requestId)])
      ]);
    });
  }

  function list(values) { return values.length ? values.map(function (value) { return el("div", {}, [code(value)]); }) : [muted("none")]; }

  function renderOverview(overview) {
    if (unchanged("overview", Object.assign({}, overview, { generatedAt: null }))) return;
    var runtimeSelect = $('#job-filters select[name="runtime"]');
    var selected = runtimeSelect.value;
    runtimeSelect.replaceChildren.apply(runtimeSelect, [el("option", { value: "" }, ["any"])].concat(overview.runtimes.map(function (runtime) {
      return el("option", { value: runtime.runtimeId, selected: runtime.runtimeId === selected }, [runtime.runtimeId]);
    })));
    renderRows("runtimes", overview.runtimes, "No runtime.", function (runtime) {
      return el("tr", { "data-runtime-id": runtime.runtimeId }, [
        el("td", {}, [code(runtime.runtimeId), runtime.displayName ? el("div", { className: "muted" }, [runtime.displayName]) : null]),
        el("td", {}, [el("span", { className: "dot " + (runtime.connected ? "on" : "off") }, []), runtime.connected ? " connected" : " not polling"]),
        el("td", {}, [time(runtime.lastPollAt)]),
        el("td", {}, list(runtime.schemas)),
        el("td", {}, [String(runtime.queued)]),
        el("td", {}, [String(runtime.inProgress)]),
        el("td", {}, [String(runtime.maxConcurrentTasks)]),
        el("td", { "data-field": "module-auth-token" }, [runtime.generatedModuleAuthToken ? code(runtime.generatedModuleAuthToken) : muted("set by the seed or the session")]),
        el("td", {}, [runtime.origin])
      ]);
    });
    renderRows("deployed-apps", overview.deployedApps, "No deployed app is bound.", function (app) {
      return el("tr", {}, [el("td", {}, [code(app.rid), app.displayName ? el("div", { className: "muted" }, [app.displayName]) : null]), el("td", {}, [app.branch]), el("td", {}, [code(app.runtimeId)]), el("td", {}, [app.active ? "yes" : "no"]), el("td", {}, [app.origin])]);
    });
    renderRows("principals", overview.principals, "No principal.", function (principal) {
      return el("tr", { "data-username": principal.username }, [
        el("td", {}, [principal.username]),
        el("td", {}, [principal.kind === "service" ? "service principal" : "user"]),
        el("td", {}, [principal.displayName || "–"]),
        el("td", {}, [principal.email || "–"]),
        el("td", {}, [code(principal.id)]),
        el("td", {}, [principal.active ? "yes" : "no"]),
        el("td", {}, [principal.origin])
      ]);
    });
    renderRows("clients", overview.oauthClients, "No client is registered: the emulator runs in open mode.", function (client) {
      return el("tr", { "data-client-id": client.clientId }, [
        el("td", {}, [code(client.clientId)]),
        el("td", {}, [client.name || "–"]),
        el("td", {}, [client.confidential ? "confidential" : "public (PKCE)"]),
        el("td", {}, [client.confidential ? client.secretCount + " live" : "–"]),
        el("td", {}, list(client.grantTypes)),
        el("td", {}, client.allowedScopes.length ? list(client.allowedScopes) : [muted("any")]),
        el("td", {}, list(client.redirectUris)),
        el("td", {}, [client.origin])
      ]);
    });
    renderRows("personal-tokens", overview.personalTokens, "No personal access token.", function (token) {
      var expired = token.expiresAt && Date.parse(token.expiresAt) <= Date.now();
      return el("tr", { "data-token-id": token.tokenId }, [
        el("td", {}, [code(token.tokenId)]),
        el("td", {}, [token.username]),
        el("td", {}, [token.label || "–"]),
        el("td", {}, list(token.scopes)),
        el("td", {}, [time(token.createdAt)]),
        el("td", {}, [token.expiresAt ? time(token.expiresAt) : "never"]),
        el("td", {}, [token.revoked ? "revoked" : expired ? "expired" : "active"]),
        el("td", {}, [token.revoked || expired ? null : revokeButton(token.tokenId)])
      ]);
    });
  }

  async function refresh() {
    if (state.inFlight) { state.again = true; return; }
    state.inFlight = true;
    state.again = false;
    state.unauthorized = false;
    var failures = [];
    function guard(promise) { return promise.catch(function (error) { failures.push(error.message); }); }
    try {
      await Promise.all([
        guard(load("dashboard/data/jobs" + query(Object.assign({ cursor: state.jobs.cursor }, state.jobs.filters))).then(renderJobs)),
        guard(load("dashboard/data/tokens" + query(Object.assign({ cursor: state.tokens.cursor }, state.tokens.filters))).then(renderTokens)),
        guard(load("requests" + query(Object.assign({ limit: 100 }, state.requests.filters))).then(renderRequests)),
        guard(load("dashboard/data/overview").then(renderOverview)),
        state.selectedJobId
          ? guard(load("dashboard/data/jobs/" + encodeURIComponent(state.selectedJobId)).then(renderJobDetail, function (error) { state.selectedJobId = null; renderJobDetail(null); throw error; }))
          : Promise.resolve(renderJobDetail(null))
      ]);
      if (state.unauthorized) {
        banner(adminToken()
          ? "The admin token is not accepted: check the value of FOUNDRY_ADMIN_TOKEN."
          : "This emulator has FOUNDRY_ADMIN_TOKEN set: enter it above to see its data and use the buttons.");
      } else if (failures.length) {
        banner(failures[0], "error");
      } else if ($("#banner").className === "banner") {
        banner("");
      }
      $("#live-dot").className = "dot " + (failures.length ? "off" : "on");
      $("#updated-at").textContent = "updated " + new Date().toLocaleTimeString();
    } finally {
      state.inFlight = false;
      if (state.again) refresh();
    }
  }

  function formValues(form) {
    var values = {};
    new FormData(form).forEach(function (value, key) { values[key] = String(value).trim(); });
    return values;
  }

  function wireFilters(formSelector, section) {
    $(formSelector).addEventListener("submit", function (event) {
      event.preventDefault();
      state[section].filters = formValues(event.target);
      if ("cursor" in state[section]) state[section].cursor = null;
      refresh();
    });
  }

  function wirePager(section) {
    $('[data-pager="' + section + '"] [data-page="newest"]').addEventListener("click", function () { state[section].cursor = null; refresh(); });
    $('[data-pager="' + section + '"] [data-page="older"]').addEventListener("click", function () {
      if (state[section].next) { state[section].cursor = state[section].next; refresh(); }
    });
  }

  wireFilters("#job-filters", "jobs");
  wireFilters("#token-filters", "tokens");
  wireFilters("#request-filters", "requests");
  wirePager("jobs");
  wirePager("tokens");
  $('#job-filters select[name="status"]').addEventListener("change", function (event) { event.target.form.requestSubmit(); });
  $('#job-filters select[name="runtime"]').addEventListener("change", function (event) { event.target.form.requestSubmit(); });
  $("#clear-requests").addEventListener("click", function () { act("DELETE", "requests"); });
  $("#admin-token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("#admin-token").value.trim();
    try { if (value) sessionStorage.setItem(tokenKey, value); else sessionStorage.removeItem(tokenKey); } catch (error) { /* storage disabled */ }
    $("#admin-token").value = "";
    $("#admin-token").placeholder = value ? "saved for this tab" : $("#admin-token").placeholder;
    banner("");
    refresh();
  });
  $("#admin-token-forget").addEventListener("click", function () {
    try { sessionStorage.removeItem(tokenKey); } catch (error) { /* storage disabled */ }
    refresh();
  });
  if (adminToken()) $("#admin-token").placeholder = "saved for this tab";

  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  setInterval(function () { if (!document.hidden) refresh(); }, pollMs);
  refresh();
}());
`;
