import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { App, AssetStaging, Duration, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  bundlingOptions,
  DocflowFunction,
  entryOf,
  type NativePackage,
} from '../../infra/constructs/docflow-function';
import { processAlive } from '../process-alive';

/**
 * The functions' bundles, built by the CDK app's own bundling (DocflowFunction's NodejsFunction:
 * esbuild, then `npm ci` of the native packages for linux-arm64) into the project's `cdk.out`, the
 * folder `cdk synth` writes. Built there, an asset is byte for byte the one `cdk deploy` uploads (its
 * source map's paths are relative to the folder), so its hash is the template's S3 key.
 *
 * Bundling takes seconds per function (most of it `npm ci`), so each bundle is kept and reused while
 * its inputs are unchanged: the function's own sources (every project file its entry reaches through
 * relative imports), the lockfile (every package version, esbuild's and the CDK's included),
 * package.json, tsconfig.json, cdk.json and the construct that holds the bundling options. Only
 * changed functions are rebuilt, each alone in a throwaway app of its own construct.
 */

/** The CDK CLI's output folder (cdk.json sets no other). */
export const ASSET_FOLDER = 'cdk.out';

const INDEX_FILE = 'docflow-local-bundles.json';
const LOCK_FILE = 'docflow-local-bundles.lock';
const INDEX_VERSION = 1;
/** How long a start waits for another process's bundling before giving up. */
const LOCK_WAIT_MS = 10 * 60_000;
/** An asset folder no index or manifest names is removed once it is this old (it may be in the making). */
const ORPHAN_AGE_MS = 60 * 60_000;

const SHARED_INPUTS = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'cdk.json',
  'infra/constructs/docflow-function.ts',
] as const;

/** A function to bundle: its folder under lambdas/ and the native packages its asset installs. */
export interface BundleRequest {
  readonly name: string;
  readonly nativePackages: readonly NativePackage[];
}

export interface FunctionBundle {
  /** The asset hash: the template's S3 key is `<assetHash>.zip`. */
  readonly assetHash: string;
  /** The asset folder, `cdk.out/asset.<assetHash>`. */
  readonly directory: string;
}

export interface BundleOptions {
  readonly projectRoot: string;
  /** CDK context of the app (cdk.json's). */
  readonly context: Readonly<Record<string, unknown>>;
  /** Progress, one line per step that takes time. */
  readonly log?: (line: string) => void;
}

interface IndexEntry {
  readonly digest: string;
  readonly assetHash: string;
  /** The asset built before this one, kept while a running local cloud may still start from it. */
  readonly previous?: string;
}

interface BundleIndex {
  readonly version: number;
  readonly functions: Record<string, IndexEntry>;
}

// Relative module references in TypeScript sources: import/export … from, import(), side-effect
// imports, require() and new URL(…, import.meta.url). A match in a comment only adds an input.
const RELATIVE_REFERENCE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|\bnew\s+URL\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;
const CANDIDATE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts'];

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/** The project files an entry reaches through relative imports, relative to the project root. */
export const projectSourcesOf = (projectRoot: string, entry: string): string[] => {
  const root = resolve(projectRoot);
  const seen = new Set<string>();
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]sx?$/.test(file)) continue;
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(RELATIVE_REFERENCE)) {
      const base = resolve(dirname(file), specifier);
      const target = CANDIDATE_SUFFIXES.map((suffix) => `${base}${suffix}`).find(isFile);
      if (target?.startsWith(`${root}${sep}`) && !target.includes(`${sep}node_modules${sep}`)) {
        pending.push(target);
      }
    }
  }
  return [...seen].map((file) => relative(root, file)).sort();
};

/** What a function's bundle is made from, as one hash: equal digests, equal bundles. */
export const bundleDigest = (projectRoot: string, request: BundleRequest): string => {
  const hash = createHash('sha256');
  const nativePackages = [...request.nativePackages].sort();
  const bundling = bundlingOptions(nativePackages);
  hash.update(JSON.stringify({ version: INDEX_VERSION, name: request.name, nativePackages, bundling }));
  // Project files that esbuild puts in place of a package (`--alias:` flags) are sources too.
  const aliasTargets = Object.values(bundling.esbuildArgs ?? {}).filter(
    (value): value is string =>
      typeof value === 'string' && value.startsWith('./') && existsSync(join(projectRoot, value)),
  );
  const files = [
    ...SHARED_INPUTS,
    ...[entryOf(request.name), ...aliasTargets].flatMap((entry) => projectSourcesOf(projectRoot, entry)),
  ];
  for (const file of files) {
    const path = join(projectRoot, file);
    hash.update(`\0${file}\0`);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
};

const readIndex = (path: string): BundleIndex => {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<BundleIndex>;
    if (parsed.version === INDEX_VERSION && parsed.functions) {
      return { version: INDEX_VERSION, functions: parsed.functions };
    }
  } catch {
    // Missing or unreadable: every function is bundled again.
  }
  return { version: INDEX_VERSION, functions: {} };
};

const writeIndex = (path: string, index: BundleIndex): void => {
  const temporary = `${path}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(index, null, 2)}\n`);
  renameSync(temporary, path);
};

const handlerModuleExists = (directory: string): boolean =>
  ['index.js', 'index.mjs', 'index.cjs'].some((file) => isFile(join(directory, file)));

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Runs `work` holding the bundling lock of the asset folder: two processes building the same asset
 * there at once (two local clouds, parallel test files) would clear each other's half-built folder.
 * A lock left by a process that no longer runs is taken over.
 */
export const withBundlingLock = <T>(assetFolder: string, work: () => T): T => {
  mkdirSync(assetFolder, { recursive: true });
  const lock = join(assetFolder, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lock, { encoding: 'utf8', flag: 'r' }) || '0', 10);
      if (holder > 0 && !processAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${lock} is held by process ${holder}: another synth is bundling; delete the file if none runs`,
        );
      }
      sleepSync(200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
};

/** Asset hashes the CDK CLI's own synth output in the folder refers to: never pruned. */
const cliAssetHashes = (assetFolder: string): Set<string> => {
  const hashes = new Set<string>();
  for (const file of readdirSync(assetFolder)) {
    if (!file.endsWith('.assets.json')) continue;
    try {
      const manifest = JSON.parse(readFileSync(join(assetFolder, file), 'utf8')) as { files?: object };
      for (const hash of Object.keys(manifest.files ?? {})) hashes.add(hash);
    } catch {
      // Not a manifest we can read: it protects nothing.
    }
  }
  return hashes;
};

/**
 * Asset folders that neither this index nor a CLI manifest names, and half-built bundling folders, once
 * an hour old: left by earlier synths (the CDK never removes them; native ones are ~90 MB each).
 */
const removeOrphans = (assetFolder: string, kept: ReadonlySet<string>): void => {
  const now = Date.now();
  for (const entry of readdirSync(assetFolder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const hash = /^asset\.([0-9a-f]{64})$/.exec(entry.name)?.[1];
    const orphan = hash === undefined ? entry.name.startsWith('bundling-temp-') : !kept.has(hash);
    if (!orphan) continue;
    const path = join(assetFolder, entry.name);
    const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? now;
    if (now - modified > ORPHAN_AGE_MS) rmSync(path, { recursive: true, force: true });
  }
};

/** Builds the given functions' assets with their DocflowFunction construct, in a throwaway app. */
const build = (
  assetFolder: string,
  requests: readonly BundleRequest[],
  context: BundleOptions['context'],
) => {
  // The CDK caches staged assets per process by construct settings, not by source contents.
  AssetStaging.clearAssetHashCache();
  const app = new App({ outdir: assetFolder, context: { ...context } });
  const stack = new Stack(app, 'DocflowLocalBundles');
  const hashes = new Map<string, string>();
  for (const request of requests) {
    const built = new DocflowFunction(stack, request.name, {
      name: request.name,
      nativePackages: request.nativePackages,
      // Not part of the asset: required props only.
      memorySize: 128,
      timeout: Duration.seconds(3),
      metricsNamespace: 'docflow-local-bundles',
      logRetention: RetentionDays.ONE_DAY,
    });
    const code = stack.resolve((built.function.node.defaultChild as CfnFunction).code) as { s3Key?: unknown };
    if (typeof code.s3Key !== 'string') throw new Error(`bundling ${request.name} gave no asset`);
    hashes.set(request.name, code.s3Key.replace(/\.zip$/, ''));
  }
  // The app is never synthesized: constructing it built the assets, and cdk.out keeps the CLI's manifest.
  return hashes;
};

/**
 * Each requested function's asset in `<projectRoot>/cdk.out`: reused when its inputs are unchanged,
 * built otherwise (then older assets of the function, beyond the one before, are removed).
 */
export const bundleFunctions = (
  requests: readonly BundleRequest[],
  options: BundleOptions,
): Map<string, FunctionBundle> => {
  const assetFolder = join(options.projectRoot, ASSET_FOLDER);
  const indexPath = join(assetFolder, INDEX_FILE);
  const digests = new Map(
    requests.map((request) => [request.name, bundleDigest(options.projectRoot, request)]),
  );
  const bundleOf = (assetHash: string): FunctionBundle => ({
    assetHash,
    directory: join(assetFolder, `asset.${assetHash}`),
  });
  const reusable = (index: BundleIndex): Map<string, FunctionBundle> => {
    const found = new Map<string, FunctionBundle>();
    for (const request of requests) {
      const entry = index.functions[request.name];
      if (!entry || entry.digest !== digests.get(request.name)) continue;
      const bundle = bundleOf(entry.assetHash);
      if (handlerModuleExists(bundle.directory)) found.set(request.name, bundle);
    }
    return found;
  };

  const cached = reusable(readIndex(indexPath));
  if (cached.size === requests.length) return cached;

  return withBundlingLock(assetFolder, () => {
    // Another process may have built them while this one waited.
    const index = readIndex(indexPath);
    const bundles = reusable(index);
    const missing = requests.filter((request) => !bundles.has(request.name));
    if (missing.length === 0) return bundles;
    options.log?.(
      `bundling ${missing.map((request) => request.name).join(', ')} as \`cdk synth\` does (first start, or their sources changed)`,
    );
    const built = build(assetFolder, missing, options.context);
    const functions = { ...index.functions };
    const retired: string[] = [];
    for (const request of missing) {
      const assetHash = built.get(request.name) ?? '';
      const bundle = bundleOf(assetHash);
      if (!handlerModuleExists(bundle.directory)) {
        throw new Error(`bundling ${request.name} left no handler module in ${bundle.directory}`);
      }
      const before = functions[request.name];
      const previous = before && before.assetHash !== assetHash ? before.assetHash : before?.previous;
      if (before?.previous && before.previous !== previous) retired.push(before.previous);
      functions[request.name] = {
        digest: digests.get(request.name) ?? '',
        assetHash,
        ...(previous ? { previous } : {}),
      };
      bundles.set(request.name, bundle);
    }
    writeIndex(indexPath, { version: INDEX_VERSION, functions });
    const kept = new Set([
      ...Object.values(functions).flatMap((entry) => [entry.assetHash, entry.previous ?? '']),
      ...cliAssetHashes(assetFolder),
    ]);
    for (const hash of retired) {
      if (!kept.has(hash)) rmSync(bundleOf(hash).directory, { recursive: true, force: true });
    }
    removeOrphans(assetFolder, kept);
    return bundles;
  });
};
