// The official @scalebox/sdk 3.7.0 against the local agent, for bench/tree.ps1. Prints one JSON object.
//
//   mode "tree": uploads every file under `local` to `remote` as the SDK's uploadFile does, `inFlight`
//   at a time (each write creates its parents), then lists `remote` recursively once and downloads
//   every file into `back` as its downloadFile does, `inFlight` at a time; times each direction; then
//   lists `remote` recursively again and reads every file's text with files.read, `inFlight` at a time.
//   mode "stat": `stats` sequential stat calls of `statPath`, after 20 not timed; then, after `settle`
//   more not timed, `stats` again (settledSeconds).
//
// Usage: node sdk-tree.mjs <base URL> <arguments as JSON: {token, mode, local, remote, back, inFlight, stats, statPath, settle, interop}>
// (interop: the tests/interop folder whose node_modules holds the SDK.)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { localFilesystem, pool } from "./sdk-local.mjs";

const [baseUrl, argumentsJson] = process.argv.slice(2);
const { token, mode, local, remote, back, inFlight, stats, statPath, settle = 0, interop } = JSON.parse(argumentsJson);
const files = await localFilesystem(baseUrl, token, interop, 600000);

// The SDK's uploadFile and downloadFile, step for step: its bundle's require("fs") fails when loaded
// as an ES module, so the same calls are made here (read the file whole, write(); read() as base64
// bytes, decode, write the file whole).
async function uploadFile(localPath, remotePath) {
  const data = readFileSync(localPath);
  return files.write(remotePath, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

async function downloadFile(remotePath, localPath) {
  const content = await files.read(remotePath, { format: "bytes" });
  mkdirSync(dirname(localPath), { recursive: true });
  writeFileSync(localPath, Buffer.from(content, "base64"));
}

function walk(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...walk(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

if (mode === "tree") {
  const sources = walk(local);
  // Not timed: one file up and down first, as the module's child does, so neither side times its first use.
  await uploadFile(sources[0], remote + "-warm-up/one");
  await downloadFile(remote + "-warm-up/one", back + "-warm-up/one");
  await files.list(remote + "-warm-up", { recursive: true });
  let start = performance.now();
  await pool(sources, inFlight, (path) => uploadFile(path, remote + "/" + relative(local, path)));
  const upSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  const listed = (await files.list(remote, { recursive: true })).filter((entry) => entry.type === "file");
  await pool(listed, inFlight, (entry) => downloadFile(entry.path, join(back, entry.path.slice(remote.length + 1))));
  const downSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  const toRead = (await files.list(remote, { recursive: true })).filter((entry) => entry.type === "file");
  const texts = [];
  await pool(toRead, inFlight, async (entry) => texts.push(await files.read(entry.path)));
  const readSeconds = (performance.now() - start) / 1000;
  process.stdout.write(JSON.stringify({ files: sources.length, downloaded: listed.length, upSeconds, downSeconds, filesRead: texts.length, readSeconds }));
} else if (mode === "stat") {
  /** Makes `count` sequential stat calls; returns the seconds they took. */
  const statCalls = async (count) => {
    const start = performance.now();
    for (let i = 0; i < count; i++) await files.stat(statPath);
    return (performance.now() - start) / 1000;
  };
  await statCalls(20);
  const seconds = await statCalls(stats);
  await statCalls(settle);
  const settledSeconds = await statCalls(stats);
  process.stdout.write(JSON.stringify({ stats, seconds, settledSeconds }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.exit(0);
