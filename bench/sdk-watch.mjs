// The official @scalebox/sdk 3.7.0's watchDir against the local agent, for bench/watch.ps1: latency
// from a file write to the event reaching the for-await loop, over -Writes sequential writes, and
// the events per second of a burst of new files. Prints one JSON object.
//
// Usage: node sdk-watch.mjs <base URL> <arguments as JSON: {token, folder, writes, burst, interop}>
// (interop: the tests/interop folder whose node_modules holds the SDK.)
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { localFilesystem } from "./sdk-local.mjs";

const [baseUrl, argumentsJson] = process.argv.slice(2);
const { token, folder, writes, burst, interop } = JSON.parse(argumentsJson);
const files = await localFilesystem(baseUrl, token, interop, 20000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(dir) {
  mkdirSync(dir);
  const generator = files.watchDir(dir);
  let pending = null;
  const next = async (ms) => {
    pending ??= generator.next();
    const result = await Promise.race([pending, sleep(ms).then(() => null)]);
    if (result === null) return null;
    pending = null;
    if (result.done) throw new Error("the watch ended early");
    return result.value;
  };
  // The SDK hands out no start event: poke until the watch reports something.
  for (let i = 0; ; i++) {
    writeFileSync(join(dir, `.ready-${i}`), "");
    if (await next(50)) break;
    if (i > 200) throw new Error("the watch never reported anything");
  }
  while (await next(200)) { /* drain the pokes */ }

  const latencies = [];
  for (let i = 0; i < writes; i++) {
    const name = `l${i}.txt`;
    const start = performance.now();
    closeSync(openSync(join(dir, name), "w"));
    for (;;) {
      const e = await next(10000);
      if (!e) throw new Error(`no event for ${name}`);
      if (e.name === name) break;
    }
    latencies.push(performance.now() - start);
  }

  let seen = 0;
  const start = performance.now();
  for (let i = 0; i < burst; i++) {
    closeSync(openSync(join(dir, `b${i}`), "w"));
  }
  const written = performance.now();
  while (seen < burst) {
    const e = await next(10000);
    if (!e) throw new Error(`only ${seen} of ${burst} burst events came`);
    if (e.name.startsWith("b")) seen++;
  }
  const end = performance.now();
  await generator.return();
  return { latencies, burstMs: end - start, writeMs: written - start, burstEvents: seen };
}

const result = await measure(join(folder, "sdk"));
console.log(JSON.stringify(result));
process.exit(0);
