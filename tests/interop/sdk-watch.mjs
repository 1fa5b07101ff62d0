// Drives the official @scalebox/sdk's directory watching against a local agent: the streaming
// watchDir (an async generator: its for-await loop is the SDK's onEvent, leaving the loop is its
// stop) and the polling createWatcher / getEvents / remove. Prints what it saw as one JSON object
// for the xunit test to check.
//
// Usage: node sdk-watch.mjs <base URL> <arguments as JSON: {token, folder}>
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Filesystem } from "@scalebox/sdk";

const [baseUrl, argumentsJson] = process.argv.slice(2);
const { token, folder } = JSON.parse(argumentsJson);
const address = new URL(baseUrl);
if (address.hostname !== "127.0.0.1") {
  throw new Error(`refusing to call ${baseUrl}: the interop test only ever talks to 127.0.0.1`);
}

// The SDK does not export its ConnectionConfig; Filesystem reads only these members of it.
const config = {
  apiUrl: baseUrl,
  requestTimeoutMs: 20000,
  debug: false,
  getSignal: (timeoutMs) => AbortSignal.timeout(timeoutMs),
};
const files = new Filesystem("local", config, address.host, token);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seen = (events) => events.map((e) => `${e.type} ${e.name}`);

/** Until the first event, pokes the folder so that the watch is known to be live before the real changes. */
async function untilLive(read, streamFolder) {
  for (let i = 0; ; i++) {
    writeFileSync(join(streamFolder, `.ready-${i}`), "");
    if (await read()) return;
    if (i > 200) throw new Error("the watch never reported anything");
  }
}

async function streaming() {
  const streamFolder = join(folder, "stream");
  mkdirSync(streamFolder);
  const events = [];
  const generator = files.watchDir(streamFolder, { recursive: true });
  // One read at a time, none ahead: the generator can only stop (return) between reads.
  let pending = null;
  const readOne = async (ms) => {
    pending ??= generator.next();
    const result = await Promise.race([pending, sleep(ms).then(() => null)]);
    if (result === null) return false;
    pending = null;
    if (result.done) throw new Error("the watch ended early");
    events.push(result.value);
    return true;
  };
  await untilLive(() => readOne(50), streamFolder);
  const ready = events.length;

  writeFileSync(join(streamFolder, "a.txt"), "hello");
  renameSync(join(streamFolder, "a.txt"), join(streamFolder, "b.txt"));
  mkdirSync(join(streamFolder, "sub"));
  await sleep(100); // the new folder's watch is added as its creation is read
  writeFileSync(join(streamFolder, "sub", "c.txt"), "deep");
  rmSync(join(streamFolder, "b.txt"));
  while (!events.some((e) => e.type === "remove" && e.name === "b.txt")) {
    if (!(await readOne(20000))) throw new Error(`no remove of b.txt; saw ${seen(events)}`);
  }
  // stop: leaving the generator cancels its stream
  await generator.return();
  const changes = events.slice(ready).filter((e) => !e.name.startsWith(".ready-"));
  return { events: seen(changes), paths: changes.map((e) => e.path) };
}

async function polling() {
  const pollFolder = join(folder, "poll");
  mkdirSync(pollFolder);
  const watcher = await files.createWatcher(pollFolder);
  writeFileSync(join(pollFolder, "x.txt"), "x");
  rmSync(join(pollFolder, "x.txt"));
  const events = [];
  for (let i = 0; i < 200 && !events.some((e) => e.type === "remove"); i++) {
    events.push(...(await watcher.getEvents()));
    await sleep(20);
  }
  await watcher.remove();
  let afterRemove = "none";
  try {
    await watcher.getEvents();
  } catch (e) {
    afterRemove = e.message;
  }
  let missing = "none";
  try {
    await files.createWatcher(join(folder, "missing"));
  } catch (e) {
    missing = e.message;
  }
  return { id: watcher.id, events: seen(events), afterRemove, missing };
}

const result = { streaming: await streaming(), polling: await polling() };
process.stdout.write(JSON.stringify(result) + "\n");
// Leftover request machinery of the SDK would keep node alive until its request timeout.
process.exit(0);
