// Calls a local agent (or the Connect probe service of the xunit tests) with the official Connect
// client for Node, in JSON as the JavaScript SDK does and in binary proto as the Python SDK does,
// and prints what it saw as one JSON object for the xunit test to check. Over HTTP/1.1, as the
// SDKs do, except the client stream (stream-input), which Connect carries over HTTP/2 only.
//
// Usage: node connect-client.mjs <filesystem|probe|stream-input> <base URL> <FileDescriptorSet file> [arguments as JSON]
import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

const [scenario, baseUrl, descriptorSetFile, argumentsJson = "{}"] = process.argv.slice(2);
const args = JSON.parse(argumentsJson);
if (new URL(baseUrl).hostname !== "127.0.0.1") {
  throw new Error(`refusing to call ${baseUrl}: the interop test only ever talks to 127.0.0.1`);
}
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetFile)));

function clientFor(serviceName, useBinaryFormat, httpVersion = "1.1") {
  const service = registry.getService(serviceName);
  const transport = createConnectTransport({
    baseUrl,
    httpVersion,
    useBinaryFormat,
    interceptors: [
      (next) => (request) => {
        request.header.set("Authorization", "Bearer root");
        if (args.token) request.header.set("X-Access-Token", args.token);
        return next(request);
      },
    ],
  });
  return { service, client: createClient(service, transport) };
}

/** The outcome of a call that is expected to fail: its code by name, message and trailers. */
async function failure(call) {
  try {
    await call();
    return { code: "none" };
  } catch (e) {
    const error = ConnectError.from(e);
    return { code: Code[error.code], message: error.rawMessage, metadata: Object.fromEntries(error.metadata) };
  }
}

async function filesystem(useBinaryFormat) {
  const { service, client } = clientFor("sandboxagent.Filesystem", useBinaryFormat);
  const stat = await client.stat({ path: args.file }, { timeoutMs: 15000 });
  const listing = await client.listDir({ path: args.folder, depth: 1 });
  return {
    stat: toJson(service.method.stat.output, stat),
    listed: listing.entries.map((entry) => entry.name).sort(),
    missing: await failure(() => client.stat({ path: args.missing })),
    existing: await failure(() => client.makeDir({ path: args.folder })),
  };
}

async function probe(useBinaryFormat) {
  const { client } = clientFor("connectprobe.Probe", useBinaryFormat);
  const counted = [];
  for await (const number of client.count({ count: 3 })) counted.push(Number(number.value));
  const countedBeforeFailure = [];
  const failed = await failure(async () => {
    for await (const number of client.count({ count: 2, failWith: Code.NotFound })) countedBeforeFailure.push(Number(number.value));
  });
  const late = await failure(async () => {
    for await (const _ of client.count({ count: 1, thenWait: true }, { timeoutMs: 300 })) { /* drain */ }
  });
  return { counted, countedBeforeFailure, failed, late };
}

/** Resolves with the value once `test` holds for it, or with `undefined` after `ms`. */
function waitFor(state, test, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { state.waiters.delete(check); resolve(undefined); }, ms);
    const check = () => {
      if (!test(state.value)) return false;
      clearTimeout(timer);
      state.waiters.delete(check);
      resolve(state.value);
      return true;
    };
    if (!check()) state.waiters.add(check);
  });
}

async function streamInput(useBinaryFormat) {
  // `cat` echoes each line as it gets it. The next line is sent only once the last one came back,
  // so an agent that waited for the end of the request body before handing input to the process
  // would leave the echo missing (recorded as stalled) instead of finishing the test by luck.
  const { client } = clientFor("sandboxagent.Process", useBinaryFormat, "2");
  const output = { value: "", waiters: new Set() };
  const started = client.start({ process: { cmd: "cat", args: [] } }, { timeoutMs: 30000 });
  const iterator = started[Symbol.asyncIterator]();
  const first = await iterator.next();
  const pid = first.value.event.event.value.pid;
  let exit = null;
  const reading = (async () => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const event = next.value.event.event;
      if (event.case === "data" && event.value.output.case === "stdout") {
        output.value += new TextDecoder().decode(event.value.output.value);
        for (const check of [...output.waiters]) check();
      } else if (event.case === "end") {
        exit = { exited: event.value.exited, exitCode: event.value.exitCode, status: event.value.status };
      }
    }
  })();

  const lines = ["one\n", "two\n", "three\n"];
  const echoed = [];
  const encoder = new TextEncoder();
  async function* input() {
    yield { event: { case: "start", value: { process: { selector: { case: "pid", value: pid } } } } };
    let expected = "";
    for (const line of lines) {
      // A person at a terminal pauses; the agent must not take a quiet input stream for a stalled upload.
      if (expected && args.pauseMs) await new Promise((resolve) => setTimeout(resolve, args.pauseMs));
      yield { event: { case: "data", value: { input: { input: { case: "stdin", value: encoder.encode(line) } } } } };
      expected += line;
      const seen = await waitFor(output, (text) => text.startsWith(expected), 10000);
      echoed.push(seen === undefined ? "stalled" : line);
      if (seen === undefined) return;
    }
  }
  const answer = await client.streamInput(input(), { timeoutMs: 30000 });
  await client.sendSignal({ process: { selector: { case: "pid", value: pid } }, signal: 9 });
  await reading;
  return { echoed, output: output.value, answered: answer !== undefined, exit };
}

const run = { filesystem, probe, "stream-input": streamInput }[scenario];
// binaryOnly: one format is enough for what a slow scenario checks.
console.log(JSON.stringify({ json: args.binaryOnly ? null : await run(false), binary: await run(true) }));
