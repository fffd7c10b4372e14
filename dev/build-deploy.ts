/**
 * `npm run build:deploy`: builds deploy/, exactly what is deployed (azure.yaml) and what `npm start`,
 * `npm run dev` and the end-to-end tests run. esbuild bundles functions/index.ts into ES module
 * chunks: the entry holds registration only (config, hosting, @azure/functions); the app root with
 * botbuilder, the Azure SDKs and axios is a chunk loaded on the first message, and the telemetry SDK
 * another, loaded only with a connection string. No node_modules ships: nothing to install remotely.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { build, type Metafile } from 'esbuild';

export const ROOT = join(__dirname, '..', '..');
export const DEPLOY_DIR = join(ROOT, 'deploy');
/** Which source files and packages ended up in which chunk; read by the deploy tests, not deployed. */
export const METAFILE = join(ROOT, 'dist', 'deploy-meta.json');
export const ENTRY = 'dist/index.mjs';

/**
 * The CommonJS packages inside an ES module bundle still call `require`, `__dirname` and
 * `__filename`: give every chunk its own, from its URL. The `require` also reaches
 * `@azure/functions-core`, which the Functions worker provides through `Module.prototype.require`.
 */
const BANNER = [
  "import { createRequire as __bundleRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  'const require = __bundleRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

export interface DeployBuild {
  readonly files: number;
  readonly bytes: number;
  readonly metafile: Metafile;
}

export async function buildDeploy(outDir: string = DEPLOY_DIR): Promise<DeployBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'functions/index.ts' },
    outdir: join(outDir, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Prefer packages' CommonJS builds: their ESM builds of the same code are no smaller here.
    mainFields: ['main', 'module'],
    // The worker's own module; everything else ships inside the bundle.
    external: ['@azure/functions-core'],
    banner: { js: BANNER },
    minify: true,
    // Error names (GenieHttpError, …) are what operators see in logs: keep class and function names.
    keepNames: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; engines?: unknown };
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: rootPackage.name, version: rootPackage.version, private: true, type: 'module', main: ENTRY, engines: rootPackage.engines }, null, 2)}\n`,
  );
  cpSync(join(ROOT, 'host.json'), join(outDir, 'host.json'));
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  writeFileSync(METAFILE, JSON.stringify(result.metafile));
  let files = 0;
  let bytes = 0;
  for (const [path] of Object.entries(result.metafile.outputs)) {
    files++;
    bytes += readFileSync(join(ROOT, path)).length;
  }
  for (const extra of ['package.json', 'host.json']) {
    files++;
    bytes += readFileSync(join(outDir, extra)).length;
  }
  return { files, bytes, metafile: result.metafile };
}

if (require.main === module) {
  buildDeploy()
    .then(({ files, bytes, metafile }) => {
      console.log(`deploy/: ${files} files, ${(bytes / 1024 / 1024).toFixed(2)} MB`);
      for (const [path, output] of Object.entries(metafile.outputs)) {
        if (path.endsWith('.mjs')) console.log(`  ${relative(DEPLOY_DIR, join(ROOT, path))}  ${(output.bytes / 1024).toFixed(0)} KB`);
      }
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
