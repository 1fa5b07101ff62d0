// The official @scalebox/sdk 3.7.0's runCode against the local agent, for bench/code.ps1: the round
// trip of `1+1` over -Calls calls in one context, and how fast 50 MB printed by Python arrives.
// Prints one JSON object.
//
// Usage: node sdk-code.mjs <127.0.0.1:port> <arguments as JSON: {token, calls, megabytes, interop}>
// (interop: the tests/interop folder whose node_modules holds the SDK.)
import { performance } from "node:perf_hooks";
import { importSdk } from "./sdk-local.mjs";

const [authority, argumentsJson] = process.argv.slice(2);
const { token, calls, megabytes, interop } = JSON.parse(argumentsJson);
if (!authority?.startsWith("127.0.0.1:")) {
  throw new Error("the benchmark only ever talks to 127.0.0.1");
}
const { CodeInterpreter } = await importSdk(interop);

// The CodeInterpreter reads just these members of a sandbox object; no sandbox is created.
const sandbox = { sandboxDomain: authority, envdAccessToken: token, sandboxId: "local" };
const interpreter = new CodeInterpreter(sandbox, { requestTimeoutMs: 600000 }, undefined);
const context = await interpreter.createCodeContext({ language: "python", requestTimeout: 600000 });
const options = { context, requestTimeout: 600000 };

for (let i = 0; i < 5; i++) await interpreter.runCode("1+1", options); // warm-up
const times = [];
for (let i = 0; i < calls; i++) {
  const start = performance.now();
  const result = await interpreter.runCode("1+1", options);
  times.push(performance.now() - start);
  if (result.text !== "2") throw new Error(`1+1 gave ${JSON.stringify(result.text)}`);
}
times.sort((a, b) => a - b);

const lines = Math.floor((megabytes * 1024 * 1024) / 100);
let bytes = 0;
const start = performance.now();
await interpreter.runCode(`for i in range(${lines}):\n    print('%08d' % i + 'x' * 91)`, {
  ...options, onStdout: (o) => { bytes += (o.content ?? o).length; },
});
const seconds = (performance.now() - start) / 1000;
await interpreter.destroyContext(context);

process.stdout.write(JSON.stringify({
  medianMs: times[Math.floor(times.length / 2)],
  p90Ms: times[Math.floor(times.length * 0.9)],
  printedMiB: bytes / 1048576,
  mibPerSecond: bytes / 1048576 / seconds,
}));
process.exit(0);
