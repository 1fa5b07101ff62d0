// The official @scalebox/sdk for the Node benchmarks: loaded from the tests/interop folder whose
// node_modules holds it, and only ever pointed at the local agent on loopback.
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** The SDK's exports. The SDK lives in tests/interop/node_modules, not beside the scripts. */
export async function importSdk(interop) {
  const entry = createRequire(join(interop, "package.json")).resolve("@scalebox/sdk");
  return import(pathToFileURL(entry).href);
}

/** The SDK's Filesystem on the agent at `baseUrl` (http://127.0.0.1:<port>; nothing else is called). */
export async function localFilesystem(baseUrl, token, interop, requestTimeoutMs) {
  const address = new URL(baseUrl);
  if (address.hostname !== "127.0.0.1") {
    throw new Error(`refusing to call ${baseUrl}: the benchmark only ever talks to 127.0.0.1`);
  }
  const { Filesystem } = await importSdk(interop);
  // The SDK does not export its ConnectionConfig; Filesystem reads only these members of it.
  const config = {
    apiUrl: baseUrl,
    requestTimeoutMs,
    debug: false,
    getSignal: (timeoutMs) => AbortSignal.timeout(timeoutMs),
  };
  const files = new Filesystem("local", config, address.host, token);
  // Its /upload and /download calls always use https://<domain>; the local agent speaks plain HTTP on
  // loopback, so only the scheme is changed (the requests are the SDK's own).
  files.getHttpApiUrl = () => `http://${address.host}`;
  return files;
}

/** Runs `step` over `items` with at most `limit` in flight. */
export async function pool(items, limit, step) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await step(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
