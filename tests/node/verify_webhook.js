// Verifies Standard Webhooks signatures with the npm package `standardwebhooks` (a third-party
// verifier, not vigil's code). Reads JSON lines from stdin: {"secret", "headers": {...}, "body"};
// prints one JSON line per input: {"ok": true, "id": ...} or {"ok": false, "error": ...}.
"use strict";
const { Webhook } = require("standardwebhooks");
const readline = require("readline");

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const { secret, headers, body } = JSON.parse(line);
  try {
    const wh = new Webhook(secret);
    const payload = wh.verify(body, headers);
    console.log(JSON.stringify({ ok: true, id: headers["webhook-id"], alert: payload.id }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, id: headers["webhook-id"], error: String(e.message || e) }));
  }
});
