// Calls a local agent (or the Connect probe service of the xunit tests) with the official Connect
// client for Node over HTTP/1.1, in JSON as the JavaScript SDK does and in binary proto as the
// Python SDK does, and prints what it saw as one JSON object for the xunit test to check.
//
// Usage: node connect-client.mjs <filesystem|probe> <base URL> <FileDescriptorSet file> [arguments as JSON]
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

function clientFor(serviceName, useBinaryFormat) {
  const service = registry.getService(serviceName);
  const transport = createConnectTransport({
    baseUrl,
    httpVersion: "1.1",
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

const run = scenario === "filesystem" ? filesystem : probe;
console.log(JSON.stringify({ json: await run(false), binary: await run(true) }));
