// Drives vigil's web console in Debian's chromium (headless, via the npm package puppeteer-core)
// as an analyst would, and prints what happened as JSON. Usage:
//   node console_check.js PLAN_JSON
// PLAN_JSON: {"base": URL, "token": T, "shots": DIR, "shot_prefix": P,
//   "live_ingest": {"token": T, "body": NDJSON}  posted while the list is open: the list must
//                                                  show it without a click (live refresh),
//   "filters": [{"name": N, "set": {field: value}}],  applied one after the other,
//   "step": {"alert_id": ID, "status": S, "note": N},  taken on the alert's page,
//   "after_step_filters": [...], "report": {"period": P, "until": "YYYY-MM-DD"},
//   "health": {"destination_sent": [NAME, COUNT]}  (optional: wait for that many sends)}
// Reports: the page's response headers, console errors, requests to other origins, whether a
// planted script ran (window.__pwned), the rows shown (text of their cells) first, after the
// live ingest and under each filter, the alert page after the step, the report view's tables,
// and the health panel's tables (twice: the second answer has rates). Screenshots:
// P-alerts.png, P-alert.png, P-report.png, P-health.png.
"use strict";
const path = require("path");
const puppeteer = require("puppeteer-core");

const filterNames = ["tenant", "grade", "status", "rule", "host", "since", "until"];

async function tableRows(page, selector) {
  return page.$$eval(`${selector} tbody tr`, (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)));
}

// Sets the filter form to exactly `set` (other fields empty), submits it and waits until the
// list shows that query's answer (the table records the query it shows).
async function applyFilter(page, set) {
  const expected = new URLSearchParams();
  for (const name of filterNames) if (set[name]) expected.set(name, set[name]);
  expected.set("limit", "50");
  await page.evaluate((names, values) => {
    const form = document.getElementById("filters");
    for (const name of names) form.elements[name].value = values[name] || "";
  }, filterNames, set);
  await page.click("#filters button[type=submit]");
  await page.waitForFunction((q) => document.getElementById("alerts-table").dataset.query === q,
    { timeout: 15000 }, expected.toString());
  return tableRows(page, "#alerts-table");
}

async function runFilters(page, filters) {
  const seen = {};
  for (const f of filters || []) seen[f.name] = await applyFilter(page, f.set);
  return seen;
}

async function takeStep(page, plan, out) {
  const { base, step } = plan;
  await page.goto(`${base}/#/alert/${step.alert_id}`, { waitUntil: "networkidle0" });
  await page.waitForFunction(() => document.getElementById("alert-title").textContent !== "", { timeout: 15000 });
  out.alert_title = await page.$eval("#alert-title", (e) => e.textContent);
  await page.select("#step-status", step.status);
  await page.type("#step-note", step.note);
  await page.click("#step-form button[type=submit]");
  await page.waitForSelector("#history tbody tr", { timeout: 15000 });
  out.history = await tableRows(page, "#history");
  out.evidence_text = await page.$eval("#evidence", (e) => e.textContent);
  out.evidence_elements = await page.$eval("#evidence", (e) => e.querySelectorAll("img,script").length);
  await page.screenshot({ path: path.join(plan.shots, `${plan.shot_prefix}-alert.png`), fullPage: true });
}

async function showReport(page, plan) {
  await page.click("#nav-reports");
  await page.waitForSelector("#reports-view:not([hidden])");
  await page.select("#report-form select[name=period]", plan.report.period);
  await page.$eval("#report-form input[name=until]", (e, v) => { e.value = v; }, plan.report.until);
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#report table", { timeout: 15000 });
  const report = await page.$eval("#report", (r) => ({
    heading: r.querySelector("h2") ? r.querySelector("h2").textContent : "",
    tables: Array.from(r.querySelectorAll("table")).map((t) => ({
      title: t.previousElementSibling && t.previousElementSibling.tagName === "H3" ? t.previousElementSibling.textContent : "",
      rows: Array.from(t.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)),
    })),
  }));
  await page.screenshot({ path: path.join(plan.shots, `${plan.shot_prefix}-report.png`), fullPage: true });
  return report;
}

async function healthTables(page) {
  const seen = { status: await page.$eval("#health-status", (e) => e.textContent) };
  for (const name of ["checks", "sources", "kafka", "queues", "destinations", "drops", "totals"]) {
    seen[name] = (await page.$(`#health-${name}`)) ? await tableRows(page, `#health-${name}`) : null;
  }
  return seen;
}

async function showHealth(page, plan) {
  await page.click("#nav-health");
  await page.waitForSelector("#health-view:not([hidden])");
  await page.waitForFunction(() => document.querySelector("#health p"), { timeout: 15000 });
  const refused = await page.$eval("#health p", (p) => p.classList.contains("error") && !p.id);
  if (refused) {
    return { error: await page.$eval("#health p", (p) => p.textContent),
      signed_in: await page.$eval("#nav", (n) => !n.hidden) };
  }
  const first = await healthTables(page);
  // The panel refreshes itself; a later answer has rates (per second) where the first had
  // "…", and (plan.health.destination_sent: [name, count]) that destination's sends.
  const [destination, sent] = plan.health.destination_sent || [null, null];
  await page.waitForFunction((name, count) => {
    const cell = document.querySelector("#health-sources tbody tr td:nth-child(3)");
    const row = Array.from(document.querySelectorAll("#health-destinations tbody tr"))
      .find((tr) => tr.firstChild.textContent === name);
    return cell && cell.textContent !== "…" && (name === null || (row && row.children[1].textContent === count));
  }, { timeout: 30000 }, destination, sent);
  const second = await healthTables(page);
  await page.screenshot({ path: path.join(plan.shots, `${plan.shot_prefix}-health.png`), fullPage: true });
  return { first, second };
}

async function main() {
  const plan = JSON.parse(process.argv[2]);
  const { base } = plan;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const out = { console_errors: [], foreign_requests: [] };
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on("console", (m) => {
      // A refused request (the 403 a tenant's token gets for the health panel) is logged by
      // chromium as a console error although the page handles it; the test expects those.
      if (m.type() === "error") out.console_errors.push(m.text());
    });
    page.on("pageerror", (e) => out.console_errors.push(String(e)));
    // data: URLs are no requests (chromium's own date-picker icon is one).
    page.on("request", (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith("data:")) out.foreign_requests.push(r.url());
    });
    const response = await page.goto(`${base}/`, { waitUntil: "networkidle0" });
    out.status = response.status();
    out.headers = response.headers();
    out.login_shown = await page.$eval("#login", (e) => !e.hidden);

    await page.type("#token", plan.token);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#alerts-table tbody tr", { timeout: 15000 });
    out.rows = await tableRows(page, "#alerts-table");
    out.token_in_session = await page.evaluate(() => sessionStorage.getItem("vigil.token") !== null);
    out.cookies = (await page.cookies()).length;
    await page.screenshot({ path: path.join(plan.shots, `${plan.shot_prefix}-alerts.png`), fullPage: true });

    if (plan.live_ingest) {
      const before = out.rows.length;
      const code = await page.evaluate(async (ingest) => (await fetch("/ingest", {
        method: "POST", headers: { Authorization: `Bearer ${ingest.token}` }, body: ingest.body })).status,
      plan.live_ingest);
      out.live_ingest_status = code;
      await page.waitForFunction((n) => document.querySelectorAll("#alerts-table tbody tr").length > n,
        { timeout: 20000 }, before);
      out.live_rows = await tableRows(page, "#alerts-table");
    }
    // No live refresh while filtering: each filter's answer is read as it lands.
    if (await page.$eval("#live", (e) => e.checked)) await page.click("#live");
    out.filtered = await runFilters(page, plan.filters);
    if (plan.step) await takeStep(page, plan, out);
    if (plan.after_step_filters) {
      await page.goto(`${base}/#/alerts`, { waitUntil: "networkidle0" });
      Object.assign(out.filtered, await runFilters(page, plan.after_step_filters));
    }
    if (plan.report) out.report = await showReport(page, plan);
    if (plan.health) out.health = await showHealth(page, plan);
    out.pwned = await page.evaluate(() => window.__pwned === undefined ? 0 : window.__pwned);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
