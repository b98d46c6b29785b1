// vigil's web console: plain JavaScript, no build step, served by vigild from the binary.
// Every call is the public API with the token the analyst signed in with (kept in
// sessionStorage only, sent as an Authorization header: never a cookie, so writes are not
// open to cross-site requests). Every value that came from a log line is put into the page as
// text (textContent), never as markup.
"use strict";

const tokenKey = "vigil.token";
const steps = ["acknowledged", "contained", "eradicated", "recovered", "closed", "false_positive", "reopened"];
let liveTimer = null;
let cursor = null;

function token() { return sessionStorage.getItem(tokenKey); }

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${token()}` }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    sessionStorage.removeItem(tokenKey);
    route();
    throw new Error("the token was refused");
  }
  return response;
}

async function apiJson(path, options) {
  const response = await api(path, options);
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
  if (!response.ok) {
    throw new Error(body && body.error ? body.error : `HTTP ${response.status}`);
  }
  return body;
}

// An element with text content (never markup) and attributes.
function el(tag, text, attributes = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  return e;
}

function show(id) {
  for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== id;
}

function route() {
  clearInterval(liveTimer);
  liveTimer = null;
  const signedIn = !!token();
  document.getElementById("nav").hidden = !signedIn;
  if (!signedIn) {
    show("login");
    return;
  }
  const hash = location.hash || "#/alerts";
  const alertMatch = hash.match(/^#\/alert\/([0-9A-Z]{26})$/);
  if (alertMatch) {
    show("alert-view");
    showAlert(alertMatch[1]);
  } else if (hash.startsWith("#/reports")) {
    show("reports-view");
  } else if (hash.startsWith("#/health")) {
    show("health-view");
    lastHealth = null;
    showHealth();
    liveTimer = setInterval(showHealth, 5000);
  } else {
    show("alerts-view");
    listAlerts(true);
    if (document.getElementById("live").checked) {
      liveTimer = setInterval(() => listAlerts(true), 5000);
    }
  }
}

function filterQuery() {
  const form = document.getElementById("filters");
  const params = new URLSearchParams();
  for (const name of ["tenant", "grade", "status", "rule", "host", "since", "until"]) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  params.set("limit", "50");
  return params;
}

let listed = 0; // the latest listing asked for: an older answer arriving late is not shown

async function listAlerts(fresh) {
  const status = document.getElementById("alerts-status");
  const params = filterQuery();
  if (!fresh && cursor) params.set("cursor", cursor);
  const ticket = ++listed;
  try {
    const page = await apiJson(`/api/v1/alerts?${params}`);
    if (ticket !== listed) return;
    const body = document.querySelector("#alerts-table tbody");
    if (fresh) body.replaceChildren();
    for (const a of page.alerts) body.appendChild(alertRow(a));
    cursor = page.next_cursor;
    params.delete("cursor");
    document.getElementById("alerts-table").dataset.query = params.toString(); // what it shows
    document.getElementById("more").hidden = !cursor;
    status.textContent = `${body.children.length} alert(s), updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    status.textContent = `Could not list alerts: ${e.message}`;
  }
}

function alertRow(a) {
  const row = el("tr", null, { "data-id": a.id });
  row.appendChild(el("td", a.first_seen || a.created_at));
  row.appendChild(el("td", a.grade, { class: `grade grade-${a.grade}` }));
  row.appendChild(el("td", a.status, { class: "status" }));
  const title = el("td");
  title.appendChild(el("a", a.rule && a.rule.title, { href: `#/alert/${a.id}` }));
  row.appendChild(title);
  row.appendChild(el("td", a.host || ""));
  row.appendChild(el("td", a.tenant || ""));
  row.appendChild(el("td", a.count));
  return row;
}

// A deadline with its clock while it is pending: "… (in 25 min)" or "… (overdue by 3 min)".
function clock(deadline, outcome) {
  if (!deadline || outcome !== "pending") return deadline;
  const minutes = Math.round((Date.parse(deadline) - Date.now()) / 60000);
  return minutes >= 0 ? `${deadline} (in ${minutes} min)` : `${deadline} (overdue by ${-minutes} min)`;
}

function facts(list, pairs) {
  list.replaceChildren();
  for (const [name, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    list.appendChild(el("dt", name));
    list.appendChild(el("dd", value));
  }
}

async function showAlert(id) {
  document.getElementById("step-error").textContent = "";
  let a;
  try {
    a = await apiJson(`/api/v1/alerts/${id}`);
  } catch (e) {
    document.getElementById("alert-title").textContent = `Alert ${id}: ${e.message}`;
    return;
  }
  document.getElementById("alert-title").textContent = a.rule.title;
  const asset = a.asset ? `${a.asset.name} (criticality ${a.asset.criticality}${a.asset.owner ? ", " + a.asset.owner : ""})` : "unknown";
  facts(document.getElementById("alert-facts"), [
    ["id", a.id], ["status", a.status], ["grade", `${a.grade} (response level ${a.response_level})`],
    ["tenant", a.tenant], ["host", a.host], ["asset", asset], ["rule", `${a.rule.id} (${a.rule.level})`],
    ["count", a.count], ["first seen", a.first_seen], ["last seen", a.last_seen], ["created", a.created_at],
  ]);
  const sla = a.sla || {};
  facts(document.getElementById("alert-sla"), [
    ["notify by", clock(sla.notify_by, sla.notify)], ["notify", sla.notify + (sla.notified_at ? ` at ${sla.notified_at}` : "")],
    ["contain by", clock(sla.contain_by, sla.contain)], ["contain", sla.contain + (sla.contained_at ? ` at ${sla.contained_at}` : "")],
    ["escalations", (a.escalations || []).map((e) => `${e.deadline} at ${e.at}`).join(", ")],
  ]);
  const select = document.getElementById("step-status");
  select.replaceChildren(...steps.map((s) => el("option", s.replace("_", " "), { value: s })));
  const history = document.querySelector("#history tbody");
  history.replaceChildren(...(a.history || []).map((h) => {
    const row = el("tr");
    for (const v of [h.at, h.from, h.to, h.actor, h.note]) row.appendChild(el("td", v));
    return row;
  }));
  const evidence = document.getElementById("evidence");
  evidence.replaceChildren(...(a.evidence || []).map((e) => el("pre", JSON.stringify(e, null, 2))));
  document.getElementById("step-form").dataset.id = a.id;
}

async function applyStep(event) {
  event.preventDefault();
  const form = event.target;
  const id = form.dataset.id;
  const error = document.getElementById("step-error");
  error.textContent = "";
  try {
    await apiJson(`/api/v1/alerts/${id}/status`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: form.elements.status.value, note: form.elements.note.value, actor: "console" }),
    });
    form.elements.note.value = "";
    await showAlert(id);
  } catch (e) {
    error.textContent = e.message;
  }
}

async function showReport(event) {
  event.preventDefault();
  const form = event.target;
  const params = new URLSearchParams({ period: form.elements.period.value, format: "json" });
  if (form.elements.until.value) params.set("until", form.elements.until.value);
  if (form.elements.tenant.value.trim()) params.set("tenant", form.elements.tenant.value.trim());
  const target = document.getElementById("report");
  target.replaceChildren(el("p", "Loading…", { class: "muted" }));
  try {
    const r = await apiJson(`/api/v1/reports?${params}`);
    target.replaceChildren(...reportParts(r));
  } catch (e) {
    target.replaceChildren(el("p", `Could not build the report: ${e.message}`, { class: "error" }));
  }
}

function table(headings, rows, id) {
  const t = el("table", null, id ? { id } : {});
  const head = el("tr");
  for (const h of headings) head.appendChild(el("th", h));
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const r of rows) {
    const row = el("tr");
    for (const v of r) row.appendChild(el("td", v));
    body.appendChild(row);
  }
  return t;
}

function reportParts(r) {
  const grades = ["I", "II", "III", "IV"];
  const t = r.totals, p = r.previous;
  const parts = [el("h2", `${r.tenant || "All tenants"}: ${r.period.first_day} to ${r.period.last_day}`)];
  parts.push(table(["", "this period", "previous"], [
    ["incidents", t.incidents, p.incidents],
    ...grades.map((g) => [`grade ${g}`, t.by_grade[g], p.by_grade[g]]),
    ["closed", t.closed, p.closed],
    ["SLA deadlines met / missed", `${t.sla_met} / ${t.sla_missed}`, `${p.sla_met} / ${p.sla_missed}`],
    ["escalations", t.escalations, p.escalations],
  ]));
  for (const [name, list] of [["Top rules", r.top.rules], ["Top malware", r.top.malware],
    ["Top infection sources", r.top.infection_sources], ["Top infected hosts", r.top.infected_hosts],
    ["Top source addresses", r.top.source_addresses]]) {
    parts.push(el("h3", name));
    parts.push(table(["value", "incidents"], list.map((x) => [x.title || x.value, x.count])));
  }
  parts.push(el("h3", "SLA per grade"));
  parts.push(table(["grade", "acknowledge met/missed/pending", "contain met/missed/pending"],
    grades.map((g) => [g, fmtDeadline(r.sla[g].acknowledge), fmtDeadline(r.sla[g].contain)])));
  return parts;
}

function fmtDeadline(d) { return `${d.met} / ${d.missed} / ${d.pending}`; }

// The health panel: GET /api/v1/health (the metrics regrouped) every 5 s while it is shown.
// Counters are totals since the daemon started; rates are the difference between two answers
// over the time between them (their at_ms), so the first answer shows none yet.
let lastHealth = null;

function rate(now, before, seconds) {
  if (before === undefined || before === null || !(seconds > 0)) return "…";
  return ((now - before) / seconds).toFixed(1);
}

function byKey(rows, key) {
  const map = new Map();
  for (const r of rows || []) map.set(key(r), r);
  return map;
}

function healthParts(h, before) {
  const seconds = before ? (h.at_ms - before.at_ms) / 1000 : 0;
  const prevSources = byKey(before && before.sources, (r) => r.source);
  const prevDestinations = byKey(before && before.destinations, (r) => r.destination);
  const num = (v) => (v === undefined ? 0 : v);
  const parts = [el("p", h.status === "ready" ? "ready" : "not ready", { id: "health-status", class: h.status === "ready" ? "ok" : "error" })];
  parts.push(table(["check", "state", "reason"], Object.entries(h.checks || {}).map(([name, c]) => [name, c.ready ? "ready" : "not ready", c.reason || ""]), "health-checks"));
  parts.push(el("h2", "Sources"));
  parts.push(table(["source", "received", "per second", "bytes", "open connections", "dropped"],
    h.sources.map((r) => {
      const p = prevSources.get(r.source);
      return [r.source, num(r.received), rate(num(r.received), p && num(p.received), seconds), num(r.bytes), num(r.open_connections), num(r.dropped)];
    }), "health-sources"));
  if (h.kafka_partitions.length) {
    parts.push(el("h2", "Kafka partitions"));
    parts.push(table(["topic", "partition", "lag", "committed offset"],
      h.kafka_partitions.map((r) => [r.topic, r.partition, num(r.lag), num(r.committed_offset)]), "health-kafka"));
  }
  parts.push(el("h2", "Queues"));
  parts.push(table(["ring", "index", "batches waiting"], h.queues.map((r) => [r.ring, r.index, num(r.batches)]), "health-queues"));
  parts.push(el("h2", "Destinations"));
  parts.push(table(["destination", "sent", "sent per second", "failed", "retried", "dead", "queue depth", "oldest pending (s)", "mean latency (ms)"],
    h.destinations.map((r) => {
      const p = prevDestinations.get(r.destination);
      const latency = r.latency_microseconds_count ? (r.latency_microseconds_sum / r.latency_microseconds_count / 1000).toFixed(1) : "";
      return [r.destination, num(r.sent), rate(num(r.sent), p && num(p.sent), seconds), num(r.failed), num(r.retried), num(r.dead),
        num(r.queue_depth), num(r.oldest_pending_seconds), latency];
    }), "health-destinations"));
  parts.push(el("h2", "Drops"));
  parts.push(table(["kind", "reason", "count"], [
    ...h.drops.map((r) => ["dropped", r.reason, r.count]),
    ...h.dead_letters.map((r) => ["dead letter", r.reason, r.count]),
  ], "health-drops"));
  const pl = h.pipeline, st = h.store;
  parts.push(el("h2", "Pipeline and store"));
  parts.push(table(["measure", "value"], [
    ["events parsed", num(pl.events_parsed)], ["rule matches", num(pl.rule_matches)], ["alerts", num(pl.alerts)],
    ["alerts stored", num(pl.alerts_stored)], ["escalations", num(pl.escalations)], ["rules loaded", num(pl.rules_loaded)],
    ["rule set version", num(pl.rule_set_version)], ["correlation keys", num(pl.correlation_keys)],
    ["event-time watermark", pl.watermark_seconds ? new Date(pl.watermark_seconds * 1000).toISOString() : ""],
    ["store bytes", num(st.bytes)], ["store free bytes", num(st.free_bytes)], ["disk full", st.disk_full ? "yes" : "no"],
    ["store errors", num(st.errors)], ["alerts expired", num(st.expired)],
  ], "health-totals"));
  return parts;
}

async function showHealth() {
  const target = document.getElementById("health");
  try {
    const h = await apiJson("/api/v1/health");
    target.replaceChildren(...healthParts(h, lastHealth));
    lastHealth = h;
  } catch (e) {
    lastHealth = null;
    target.replaceChildren(el("p", `Could not read the health of the daemon: ${e.message}`, { class: "error" }));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    sessionStorage.setItem(tokenKey, document.getElementById("token").value.trim());
    document.getElementById("token").value = "";
    try {
      await apiJson("/api/v1/alerts?limit=1");
      document.getElementById("login-error").textContent = "";
      route();
    } catch (e) {
      sessionStorage.removeItem(tokenKey);
      document.getElementById("login-error").textContent = `Sign-in failed: ${e.message}`;
    }
  });
  document.getElementById("logout").addEventListener("click", () => { sessionStorage.removeItem(tokenKey); route(); });
  document.getElementById("filters").addEventListener("submit", (event) => { event.preventDefault(); listAlerts(true); });
  document.getElementById("more").addEventListener("click", () => listAlerts(false));
  document.getElementById("live").addEventListener("change", route);
  document.getElementById("step-form").addEventListener("submit", applyStep);
  document.getElementById("report-form").addEventListener("submit", showReport);
  window.addEventListener("hashchange", route);
  route();
});
