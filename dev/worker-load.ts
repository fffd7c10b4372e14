/**
 * Loads an app entry the way the Azure Functions Node worker does, in this (fresh) process, and
 * prints what registered and what was loaded, as one JSON line:
 *
 *   node dist/dev/worker-load.js <entry file> [--time-only]
 *
 * Like the worker, it answers `require('@azure/functions-core')` through `Module.prototype.require`
 * with a core API whose `registerFunction` records each function's metadata, then imports the
 * entry (`import()`, which takes CommonJS and ES modules alike). A module hook lists every file
 * loaded, ES modules included, so a test can tell which chunks and packages registration pulled in.
 * Used by tests/deploy and bench/cold-start; never deployed.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WorkerLoadResult {
  /** Function name → the metadata the worker would send the host (bindings with trigger type, route, …). */
  readonly registered: Record<string, { readonly bindings: Record<string, Record<string, unknown>> }>;
  /** Absolute paths of every file loaded from disk (CommonJS and ES modules; ES modules not listed with --time-only). */
  readonly loadedFiles: readonly string[];
  /** Wall time of the import, in ms. */
  readonly importMs: number;
}

/** The module hook, as source: appends each loaded file URL to the log file named in `initialize`. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(log, url + '\\n');
  return next(url, context);
}`;

/**
 * Node built-ins the Functions worker has loaded before it loads the app (its gRPC channel to the
 * host and its own code use them): loaded here first, so the figure is the app's cost, not Node's.
 */
const WORKER_BUILTINS = ['crypto', 'dns', 'events', 'http', 'http2', 'https', 'net', 'stream', 'tls', 'url', 'util', 'zlib'];

async function main(entry: string, listFiles: boolean): Promise<void> {
  for (const name of WORKER_BUILTINS) await import(`node:${name}`);
  const registered: Record<string, { bindings: Record<string, Record<string, unknown>> }> = {};
  let programmingModel: unknown;
  const coreApi = {
    version: '3.10.1',
    get hostVersion() {
      return '4.1037.0';
    },
    setProgrammingModel: (model: unknown) => (programmingModel = model),
    getProgrammingModel: () => programmingModel,
    registerFunction: (metadata: { name: string; bindings: Record<string, Record<string, unknown>> }) => {
      registered[metadata.name] = { bindings: metadata.bindings };
      return { dispose: () => undefined };
    },
    registerHook: () => ({ dispose: () => undefined }),
    log: () => undefined,
    Disposable: class {
      dispose(): void {}
    },
  };
  const moduleProto = Module.prototype as unknown as { require: (id: string) => unknown };
  moduleProto.require = new Proxy(moduleProto.require, {
    apply: (target, thisArg, args: [string]) => (args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args)),
  });

  // The hook runs on a thread of its own, which costs start-up time: timings are taken without it.
  const dir = listFiles ? mkdtempSync(join(tmpdir(), 'worker-load-')) : undefined;
  const log = dir ? join(dir, 'loaded.txt') : undefined;
  if (log) {
    appendFileSync(log, '');
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { log } });
  }
  const started = performance.now();
  await import(pathToFileURL(entry).href);
  const importMs = performance.now() - started;
  const esm = log
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((url) => new URL(url).pathname)
    : [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  const loadedFiles = [...new Set([...esm, ...Object.keys(require.cache)])];
  const result: WorkerLoadResult = { registered, loadedFiles, importMs };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  const [entry, option] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: node dist/dev/worker-load.js <entry file> [--time-only]');
    process.exit(2);
  }
  main(entry, option !== '--time-only').catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
