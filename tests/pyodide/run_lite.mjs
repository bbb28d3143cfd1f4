// Runs a Lite form's main.py in Pyodide (Node), offline, and answers a batch of function calls.
//
//   node run_lite.mjs REQUEST.json  ->  JSON on stdout
//
// REQUEST holds "main" (path of main.py), "harness" (path of harness.py) and "cases" (the calls).
// Everything Pyodide needs comes from the npm package next to this script: any attempt to reach
// the network (fetch) fails the run, and no Pyodide package is loaded.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

globalThis.fetch = async (url) => {
  throw new Error(`network access attempted: ${url}`);
};

const request = JSON.parse(readFileSync(process.argv[2], "utf8"));
const here = dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const pyodide = await loadPyodide({
  indexURL: join(here, "node_modules", "pyodide"),
  stdout: (line) => process.stderr.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});
const loaded = Date.now();
pyodide.globals.set("MAIN_SOURCE", readFileSync(request.main, "utf8"));
pyodide.globals.set("CASES_JSON", JSON.stringify(request.cases));
pyodide.runPython(readFileSync(request.harness, "utf8"));
const answer = JSON.parse(pyodide.runPython("run(MAIN_SOURCE, CASES_JSON)"));
answer.timing = { load_ms: loaded - started, run_ms: Date.now() - loaded };
answer.packages = Object.keys(pyodide.loadedPackages);
process.stdout.write(JSON.stringify(answer));
