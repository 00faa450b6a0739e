// Reference figures for BENCHMARKS.md: runs a WASI preview1 command under Node.js's built-in WASI, the same way the
// sandbox benchmarks do (compile once, then a fresh WASI context + instantiate + _start per run), for a fixed time,
// and prints runs per second as JSON.
//
//   node --experimental-wasi-unstable-preview1 --no-turbo-fast-api-calls run-wasi.mjs MODULE.wasm|noop \
//     [--duration 10] [--warmup 2]
//
// "noop" is the benchmarks' no-op command (BenchmarkModules.NoOp): wat2wasm's output for its WAT, inlined here.
//
// --no-turbo-fast-api-calls: with V8's fast API calls on, Node 20.20.2 crashes (SIGSEGV) after one to three
// thousand runs of the corpus' hello world, as in https://github.com/nodejs/node/issues/53087. Turning them off
// makes Node's WASI calls slower, so its figures are a little low; BENCHMARKS.md says so next to them.
// The guest's stdout and stderr go to /dev/null, so the terminal's speed is not measured.
import { readFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { basename } from 'node:path';

const [modulePath, ...rest] = process.argv.slice(2);
if (!modulePath) {
  console.error('usage: node --experimental-wasi-unstable-preview1 --no-turbo-fast-api-calls '
    + 'run-wasi.mjs MODULE.wasm|noop '
    + '[--duration S] [--warmup S]');
  process.exit(2);
}

const option = (name, fallback) => {
  const at = rest.indexOf(`--${name}`);
  return at >= 0 ? Number(rest[at + 1]) : fallback;
};
const durationS = option('duration', 10);
const warmupS = option('warmup', 2);

// (module (memory (export "memory") 1) (func (export "_start")))
const noOp = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
  0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
]);
const bytes = modulePath === 'noop' ? noOp : await readFile(modulePath);
const module = await WebAssembly.compile(bytes);
const sink = openSync('/dev/null', 'w');
const programName = modulePath === 'noop' ? 'noop.wasm' : basename(modulePath);

function runOnce() {
  // A WASI context serves one start, like a Wasmtime store: a new one per run.
  const wasi = new WASI({ version: 'preview1', args: [programName], env: {}, stdout: sink, stderr: sink });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  const code = wasi.start(instance);
  if (code !== 0) {
    throw new Error(`${programName} exited with ${code}`);
  }
}

function loopFor(seconds) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let runs = 0;
  const started = process.hrtime.bigint();
  while (process.hrtime.bigint() < end) {
    runOnce();
    runs++;
  }
  return { runs, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

loopFor(warmupS);
const { runs, seconds } = loopFor(durationS);
closeSync(sink);
console.log(JSON.stringify({
  runtime: `node ${process.version}`,
  module: programName,
  runs,
  duration_s: Number(seconds.toFixed(3)),
  runs_per_s: Number((runs / seconds).toFixed(1)),
  mean_us: Number((seconds * 1e6 / runs).toFixed(2)),
}, null, 2));
