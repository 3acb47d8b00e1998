/**
 * Fills in package-lock.json entries for optional platform packages that the npm registry mirror of
 * this workplace does not serve (e.g. @napi-rs/canvas for macOS and Windows). npm leaves them out of
 * the lockfile when it cannot fetch them, and `npm ci` then refuses the lockfile as out of sync.
 * The filled-in entries carry the platform (`os`, `cpu`, `libc`) read off the package name, so npm
 * skips them on other platforms and, where they apply, fetches them from a registry that has them.
 *
 * Run after every `npm install` that changes package-lock.json: `npm run lockfile:complete`.
 * test/unit/lockfile.test.ts fails when an entry is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

const OS = ['android', 'darwin', 'linux', 'win32', 'freebsd'] as const;
const CPU = ['arm64', 'x64', 'arm', 'riscv64', 'ia32'] as const;

/** Platform fields of a package named like `@scope/pkg-<os>-<cpu>[-<abi>]`, or undefined. */
export const platformOf = (name: string): { os: string[]; cpu: string[]; libc?: string[] } | undefined => {
  const parts = name.split('/').pop()?.split('-') ?? [];
  const os = parts.find((part) => (OS as readonly string[]).includes(part));
  const cpu = parts.find((part) => (CPU as readonly string[]).includes(part));
  if (!os || !cpu) return undefined;
  const abi = parts.at(-1);
  const libc = abi === 'musl' ? ['musl'] : abi === 'gnu' || abi === 'gnueabihf' ? ['glibc'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
};

/** The lockfile entries npm would need for declared optional platform packages that are missing. */
export const missingPlatformEntries = (packages: Record<string, LockEntry>): Record<string, LockEntry> => {
  const missing: Record<string, LockEntry> = {};
  for (const [path, entry] of Object.entries(packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${path}/node_modules/${name}`;
      const hoisted = `node_modules/${name}`;
      if (packages[nested] || packages[hoisted] || missing[hoisted]) continue;
      const platform = platformOf(name);
      if (!platform) continue;
      missing[hoisted] = { version, ...platform, optional: true };
    }
  }
  return missing;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const missing = missingPlatformEntries(lock.packages);
  Object.assign(lock.packages, missing);
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, 'en')),
  );
  writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(`added ${Object.keys(missing).length} platform entries\n`);
}
