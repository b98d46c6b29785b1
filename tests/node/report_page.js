// Opens an HTML report in Debian's chromium, headless, driven by the npm package puppeteer-core
// (a real browser, not vigil's code), and tells what it rendered. Usage:
//   node report_page.js URL TOKEN SCREENSHOT.png PRINTED.pdf
// Prints {"console_errors", "requests", "scripts_run", "charts": {id: bars}, "tenant",
// "period", "pdf_bytes"}: every request the page made beyond itself, every console error, the
// bars of each SVG chart, the header's tenant and period; saves a full-page screenshot and the
// page printed to PDF (A4).
"use strict";
const fs = require("fs");
const puppeteer = require("puppeteer-core");

async function main() {
  const [url, token, screenshot, printed] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    await page.setExtraHTTPHeaders({ Authorization: `Bearer ${token}` });
    const consoleErrors = [];
    const requests = [];
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    page.on("request", (r) => { if (r.url() !== url) requests.push(r.url()); });
    // A planted script that ran would set this.
    await page.evaluateOnNewDocument(() => { window.__vigilAlerted = 0; window.alert = () => { window.__vigilAlerted++; }; });
    const response = await page.goto(url, { waitUntil: "networkidle0", timeout: 30000 });
    const seen = await page.evaluate(() => {
      const charts = {};
      for (const svg of document.querySelectorAll("svg.chart")) {
        charts[svg.id] = svg.querySelectorAll("rect.bar").length;
      }
      return {
        charts,
        tenant: document.querySelector("#tenant")?.textContent,
        period: document.querySelector("#period")?.textContent,
        scripts_run: window.__vigilAlerted,
      };
    });
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.pdf({ path: printed, format: "A4", printBackground: true });
    console.log(JSON.stringify({
      status: response.status(),
      console_errors: consoleErrors,
      requests,
      ...seen,
      pdf_bytes: fs.statSync(printed).size,
    }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
