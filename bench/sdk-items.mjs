// The official @scalebox/sdk 3.7.0 against the local agent, for bench/items.ps1. Prints one JSON object.
//
// After one call of each not timed, under `root` (made beforehand with `count` files of a few bytes in root/src and an empty root/into),
// `inFlight` calls at a time, each step timed: makeDir of root/dirs/d<i>; write of root/new/f<i>.txt
// (its content "item <i>"); list of root/src, then read of every file; list of root/src, then move of
// every file to root/into/<its name>; list of root/into, then remove of every file.
//
// Usage: node sdk-items.mjs <base URL> <arguments as JSON: {token, root, count, inFlight, interop}>
// (interop: the tests/interop folder whose node_modules holds the SDK.)
import { performance } from "node:perf_hooks";
import { localFilesystem, pool } from "./sdk-local.mjs";

const [baseUrl, argumentsJson] = process.argv.slice(2);
const { token, root, count, inFlight, interop } = JSON.parse(argumentsJson);
const files = await localFilesystem(baseUrl, token, interop, 600000);

/** The seconds `action` takes. */
async function timed(action) {
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

// Not timed: each call once first, as the module's child does, so neither side times its first use.
await files.makeDir(`${root}/warm/dir`);
await files.write(`${root}/warm/a.txt`, "warm");
await files.read(`${root}/warm/a.txt`);
await files.move(`${root}/warm/a.txt`, `${root}/warm/dir/a.txt`);
await files.remove(`${root}/warm/dir/a.txt`);

const numbers = Array.from({ length: count }, (_, i) => i + 1);
const listFiles = async (path) => (await files.list(path)).filter((entry) => entry.type === "file");

const newDirectories = await timed(() => pool(numbers, inFlight, (i) => files.makeDir(`${root}/dirs/d${i}`)));
const newFiles = await timed(() => pool(numbers, inFlight, (i) => files.write(`${root}/new/f${i}.txt`, `item ${i}`)));
let texts = 0;
const read = await timed(async () => {
  const listed = await listFiles(`${root}/src`);
  await pool(listed, inFlight, async (entry) => {
    await files.read(entry.path);
    texts++;
  });
});
const move = await timed(async () => {
  const listed = await listFiles(`${root}/src`);
  await pool(listed, inFlight, (entry) => files.move(entry.path, `${root}/into/${entry.name}`));
});
const remove = await timed(async () => {
  const listed = await listFiles(`${root}/into`);
  await pool(listed, inFlight, (entry) => files.remove(entry.path));
});
process.stdout.write(JSON.stringify({ newDirectories, newFiles, read, texts, move, remove }));
process.exit(0);
