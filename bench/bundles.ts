import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Loader, type Metafile } from 'esbuild';
import {
  bundlingOptions,
  entryOf,
  NATIVE_PACKAGES,
  PROJECT_ROOT,
} from '../infra/constructs/docflow-function';

/** One function's bundle as `cdk deploy` would upload it. */
export interface BundleSize {
  readonly name: string;
  /** Bytes of the JavaScript (index.mjs), without its source map. */
  readonly jsBytes: number;
  /** Native packages the bundle imports at run time (kept external, installed beside it). */
  readonly nativePackages: readonly string[];
  /** The inputs that weigh most in the output, largest first, for whoever slims the bundle. */
  readonly heaviest: readonly { readonly path: string; readonly bytes: number }[];
}

/** The package an import path names (`@scope/name/sub` → `@scope/name`). */
export const packageOf = (path: string): string => {
  const parts = path.split('/');
  return (path.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
};

/** An input's package (`node_modules/@aws-sdk/client-s3/…` → `@aws-sdk/client-s3`), or its own path. */
const weighedUnder = (input: string): string => {
  const at = input.lastIndexOf('node_modules/');
  return at < 0 ? input : packageOf(input.slice(at + 'node_modules/'.length));
};

/** Sizes of one output of a metafile: its bytes, external native imports and heaviest packages. */
export const measureOutput = (metafile: Metafile, outputPath: string): Omit<BundleSize, 'name'> => {
  const output = metafile.outputs[outputPath];
  if (!output) throw new Error(`the metafile has no output ${outputPath}`);
  const natives = new Set<string>();
  for (const imported of output.imports) {
    const name = packageOf(imported.path);
    if (imported.external && (NATIVE_PACKAGES as readonly string[]).includes(name)) natives.add(name);
  }
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const key = weighedUnder(input);
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const heaviest = [...byPackage]
    .map(([path, bytes]) => ({ path, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
  return { jsBytes: output.bytes, nativePackages: [...natives].sort(), heaviest };
};

/** Every function of lambdas/ that has an entry. */
export const functionNames = (): string[] =>
  readdirSync(join(PROJECT_ROOT, 'lambdas'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(PROJECT_ROOT, entryOf(entry.name))))
    .map((entry) => entry.name)
    .sort();

/** esbuild's `alias` option from the `--alias:<package>` command-line flags the CDK passes through. */
export const aliasesOf = (
  esbuildArgs: Readonly<Record<string, string | boolean | readonly string[]>> = {},
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(esbuildArgs).flatMap(([flag, value]) =>
      flag.startsWith('--alias:') && typeof value === 'string'
        ? [[flag.slice('--alias:'.length), value]]
        : [],
    ),
  );

/**
 * Bundles one function with the options the CDK app gives NodejsFunction (infra/constructs/
 * docflow-function.ts), translated to esbuild's API the way aws-lambda-nodejs translates them to its
 * command line, plus a metafile. Nothing is written to disk.
 */
export const bundleFunction = async (name: string): Promise<BundleSize> => {
  const options = bundlingOptions([]);
  const outfile = join(PROJECT_ROOT, 'cdk.out', 'bench-bundle', name, 'index.mjs');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [join(PROJECT_ROOT, entryOf(name))],
    bundle: true,
    // NodejsFunction's target for Runtime.NODEJS_24_X.
    target: 'node24',
    platform: 'node',
    format: options.format === 'esm' ? 'esm' : 'cjs',
    outfile,
    minify: options.minify ?? false,
    sourcemap: options.sourceMap ?? false,
    sourcesContent: options.sourcesContent ?? true,
    external: [...(options.externalModules ?? []), ...(options.nodeModules ?? [])],
    ...(options.mainFields ? { mainFields: [...options.mainFields] } : {}),
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    ...(options.define ? { define: { ...options.define } } : {}),
    ...(options.loader ? { loader: { ...options.loader } as Record<string, Loader> } : {}),
    alias: aliasesOf(options.esbuildArgs),
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const { metafile } = result;
  if (!metafile) throw new Error(`esbuild returned no metafile for ${name}`);
  const key = Object.keys(metafile.outputs).find((path) => path.endsWith('index.mjs'));
  if (!key) throw new Error(`esbuild wrote no index.mjs for ${name}`);
  return { name, ...measureOutput(metafile, key) };
};

/** Every function's bundle, one after another (esbuild uses every core for each). */
export const bundleSizes = async (): Promise<BundleSize[]> => {
  const sizes: BundleSize[] = [];
  for (const name of functionNames()) sizes.push(await bundleFunction(name));
  return sizes;
};
