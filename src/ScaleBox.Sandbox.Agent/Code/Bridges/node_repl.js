// One persistent JavaScript scope for the local sandbox agent, speaking the same JSON lines as
// jupyter_bridge.py: requests {"op":"execute","code","env"} on stdin; events ready, stdout,
// stderr, result (the last expression's value as text/plain, main), error, done on stdout.
// SIGINT interrupts a running execution (vm breakOnSigint); the scope survives it.
"use strict";
const vm = require("vm");
const util = require("util");
const readline = require("readline");
const { Console } = require("console");
const { Writable } = require("stream");

const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const sink = (ev) => new Writable({ write(chunk, _enc, done) { emit({ ev, text: chunk.toString() }); done(); } });
const sandbox = { require, process, Buffer, setTimeout, clearTimeout, setInterval, clearInterval, URL, TextEncoder, TextDecoder };
sandbox.console = new Console({ stdout: sink("stdout"), stderr: sink("stderr") });
sandbox.global = sandbox;
const context = vm.createContext(sandbox);
process.on("SIGINT", () => {}); // outside an execution there is nothing to interrupt
let count = 0;

function run(request) {
  count += 1;
  const saved = {};
  for (const [k, v] of Object.entries(request.env || {})) { saved[k] = process.env[k]; process.env[k] = v; }
  try {
    const value = vm.runInContext(request.code, context, { filename: `cell${count}.js`, breakOnSigint: true });
    if (value !== undefined) {
      emit({ ev: "result", data: { "text/plain": typeof value === "string" ? value : util.inspect(value) }, main: true, count });
    }
  } catch (e) {
    const isError = e instanceof Error || (e && typeof e === "object" && "stack" in e);
    emit({ ev: "error", name: isError ? e.name : "Error", value: isError ? e.message : String(e), traceback: isError ? String(e.stack) : String(e) });
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
  emit({ ev: "done", count });
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const request = JSON.parse(line);
  if (request.op === "execute") run(request); else if (request.op === "shutdown") process.exit(0);
});
lines.on("close", () => process.exit(0));
emit({ ev: "ready" });
