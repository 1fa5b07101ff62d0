// Drives the official @scalebox/sdk's code interpreter (createCodeContext, runCode, destroyContext)
// against a local sandbox agent and prints what it saw as one JSON object.
//
// Usage: node sdk-code.mjs <127.0.0.1:port> <access token>
//
// The SDK's CodeInterpreter reaches the agent at sandbox.sandboxDomain (http:// for 127.0.0.1),
// speaking Connect (JSON) to /sandboxagent.ContextService/* and /sandboxagent.ExecutionService/Execute
// with the headers X-Access-Token and Authorization: Bearer root. The sandbox object below holds
// just what its constructor reads; no sandbox is created through any API.
import { CodeInterpreter } from "@scalebox/sdk";

const [authority, token] = process.argv.slice(2);
if (!authority?.startsWith("127.0.0.1:")) {
  throw new Error("only 127.0.0.1 is ever talked to");
}
const sandbox = { sandboxDomain: authority, envdAccessToken: token, sandboxId: "local" };
const interpreter = new CodeInterpreter(sandbox, { requestTimeoutMs: 60000 }, undefined);
const pick = (r) => r && {
  text: r.text, png: r.png ? r.png.length : 0, html: r.html ? r.html.length : 0,
  chart: r.chart, isMainResult: r.isMainResult,
};

const out = {};
const context = await interpreter.createCodeContext({ language: "python", cwd: process.cwd(), requestTimeout: 60000 });
out.context = { id: context.id, language: context.language, cwd: context.cwd };

const stdoutSeen = [];
const printed = await interpreter.runCode("x = 6 * 7\nprint('hello')\nx", {
  context, requestTimeout: 60000, onStdout: (o) => stdoutSeen.push(o.content ?? o),
});
out.printed = { stdout: printed.stdout, text: printed.text, onStdout: stdoutSeen, error: printed.error };

const failed = await interpreter.runCode("1 / 0", { context, requestTimeout: 60000 });
out.failed = { error: failed.error, exitCode: failed.exitCode };

const results = [];
const charted = await interpreter.runCode(
  "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 4, 8])\nplt.title('growth')\nplt.xlabel('t')\nplt.show()",
  { context, requestTimeout: 60000, onResult: (r) => results.push(pick(r)) });
out.charted = { chart: charted.chart, png: charted.png ? charted.png.length : 0, results, error: charted.error };

await interpreter.destroyContext(context);
// The SDK swallows a destroy's errors, so check through the wire that the context is gone.
const gone = await interpreter.runCode("x", { context, requestTimeout: 60000 });
out.afterDestroy = { error: gone.error, exitCode: gone.exitCode };

process.stdout.write(JSON.stringify(out));
