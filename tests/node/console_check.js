// Drives vigil's web console in Debian's chromium (headless, via the npm package puppeteer-core)
// as an analyst would, and prints what happened as JSON. Usage:
//   node console_check.js BASE_URL TOKEN ALERT_ID SCREENSHOT_DIR
// Signs in with TOKEN, lists the alerts, filters them by grade I, opens ALERT_ID and
// acknowledges it with a note. Reports: the response headers of the page, console errors,
// requests to other origins, whether a planted script ran (window.__pwned), the rows shown
// (text of their cells) before and after filtering, the alert page's history after the step,
// and the text of the cells holding planted markup. Screenshots: console-alerts.png,
// console-alert.png.
"use strict";
const path = require("path");
const puppeteer = require("puppeteer-core");

async function rows(page) {
  return page.$$eval("#alerts-table tbody tr", (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)));
}

async function main() {
  const [base, token, alertId, shots] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const out = { console_errors: [], foreign_requests: [] };
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on("console", (m) => { if (m.type() === "error") out.console_errors.push(m.text()); });
    page.on("pageerror", (e) => out.console_errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith(base)) out.foreign_requests.push(r.url()); });
    const response = await page.goto(`${base}/`, { waitUntil: "networkidle0" });
    out.status = response.status();
    out.headers = response.headers();
    out.login_shown = await page.$eval("#login", (e) => !e.hidden);

    await page.type("#token", token);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#alerts-table tbody tr", { timeout: 15000 });
    out.rows = await rows(page);
    out.token_in_session = await page.evaluate(() => sessionStorage.getItem("vigil.token") !== null);
    out.cookies = (await page.cookies()).length;
    await page.screenshot({ path: path.join(shots, "console-alerts.png"), fullPage: true });

    await page.select("#filters select[name=grade]", "I");
    await page.click("#filters button[type=submit]");
    await page.waitForFunction(() => {
      const cells = Array.from(document.querySelectorAll("#alerts-table tbody tr td:nth-child(2)"));
      return cells.length > 0 && cells.every((td) => td.textContent === "I");
    }, { timeout: 15000 });
    out.grade_I_rows = await rows(page);

    await page.goto(`${base}/#/alert/${alertId}`, { waitUntil: "networkidle0" });
    await page.waitForFunction(() => document.getElementById("alert-title").textContent !== "", { timeout: 15000 });
    out.alert_title = await page.$eval("#alert-title", (e) => e.textContent);
    await page.select("#step-status", "acknowledged");
    await page.type("#step-note", "looking at it from the console");
    await page.click("#step-form button[type=submit]");
    await page.waitForSelector("#history tbody tr", { timeout: 15000 });
    out.history = await page.$$eval("#history tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)));
    out.evidence_text = await page.$eval("#evidence", (e) => e.textContent);
    out.evidence_elements = await page.$eval("#evidence", (e) => e.querySelectorAll("img,script").length);
    await page.screenshot({ path: path.join(shots, "console-alert.png"), fullPage: true });
    out.pwned = await page.evaluate(() => window.__pwned === undefined ? 0 : window.__pwned);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
