// Validates alert documents against schemas/alert.schema.json with the npm package ajv (JSON
// Schema 2020-12, formats from ajv-formats): a third-party validator, not vigil's code. Reads one
// alert per line from stdin; prints {"valid": n, "invalid": [{"id", "errors"}]} and exits 1 when
// any is invalid.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

const schemaPath = process.argv[2] || path.join(__dirname, "..", "..", "schemas", "alert.schema.json");
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));

const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.trim());
const invalid = [];
for (const line of lines) {
  const alert = JSON.parse(line);
  if (!validate(alert)) {
    invalid.push({ id: alert.id, errors: validate.errors.map((e) => `${e.instancePath} ${e.message}`) });
  }
}
console.log(JSON.stringify({ valid: lines.length - invalid.length, invalid }));
process.exit(invalid.length ? 1 : 0);
