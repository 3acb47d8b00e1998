import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { UsageError } from './errors';

/** S3's limit on a key: 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/** One file to upload and the key it gets. */
export interface PlannedUpload {
  /** Path on disk. */
  readonly path: string;
  /** The object key: prefix + the file's name or its path inside the folder given. */
  readonly key: string;
  readonly size: number;
  /** How the user named it: the argument, or the argument joined with the path inside it. */
  readonly label: string;
}

export interface PlanOptions {
  /** Files or folders, as given. */
  readonly inputs: readonly string[];
  /** Key prefix, already normalized (ends in `/`). */
  readonly prefix: string;
  /** Paths relative to a folder input to leave out (demo: README.md). */
  readonly exclude?: (relativePath: string) => boolean;
  /** Told about what is skipped (symbolic links to folders, sockets…). */
  readonly onSkip?: (path: string, why: string) => void;
}

const statOf = async (path: string): Promise<Stats> => {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new UsageError(`no such file or folder: ${path}`, 'upload');
    if (code === 'EACCES') throw new UsageError(`cannot read ${path}: permission denied`, 'upload');
    throw error;
  }
};

/** Files under a folder, recursively, with paths relative to it. Symbolic links to folders are not followed (no cycles). */
const filesUnder = async (
  root: string,
  onSkip: (path: string, why: string) => void,
): Promise<{ path: string; relativePath: string; size: number }[]> => {
  const found: { path: string; relativePath: string; size: number }[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries: Dirent[] = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const info =
        entry.isFile() || entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : undefined;
      if (info?.isFile()) {
        found.push({ path, relativePath: relative(root, path).split(sep).join('/'), size: info.size });
      } else {
        onSkip(path, entry.isSymbolicLink() ? 'a link to a folder or to nothing' : 'not a regular file');
      }
    }
  };
  await walk(root);
  return found;
};

/**
 * Turns the files and folders of a command line into uploads: a file becomes `<prefix><its name>`, a
 * folder's files `<prefix><path inside the folder>` (like `aws s3 cp --recursive`). Names are kept as
 * they are (spaces, `+`, `%`, accents: S3 stores any UTF-8), sorted by key.
 *
 * @throws UsageError for a missing path, a key over S3's 1,024 bytes, two files with one key, or nothing to upload
 */
export const planUploads = async (options: PlanOptions): Promise<PlannedUpload[]> => {
  const onSkip = options.onSkip ?? (() => {});
  const planned: PlannedUpload[] = [];
  for (const input of options.inputs) {
    const info = await statOf(input);
    if (info.isDirectory()) {
      for (const file of await filesUnder(input, onSkip)) {
        if (options.exclude?.(file.relativePath)) continue;
        planned.push({
          path: file.path,
          key: `${options.prefix}${file.relativePath}`,
          size: file.size,
          label: join(input, file.relativePath),
        });
      }
    } else if (info.isFile()) {
      planned.push({
        path: input,
        key: `${options.prefix}${basename(input)}`,
        size: info.size,
        label: input,
      });
    } else {
      throw new UsageError(`${input} is neither a file nor a folder`, 'upload');
    }
  }
  if (planned.length === 0)
    throw new UsageError('nothing to upload: the folders given hold no files', 'upload');
  const byKey = new Map<string, PlannedUpload>();
  for (const upload of planned) {
    const earlier = byKey.get(upload.key);
    if (earlier) {
      throw new UsageError(
        `${earlier.label} and ${upload.label} would both be uploaded as ${upload.key}`,
        'upload',
      );
    }
    if (Buffer.byteLength(upload.key, 'utf8') > MAX_KEY_BYTES) {
      throw new UsageError(`the key of ${upload.label} is longer than S3's ${MAX_KEY_BYTES} bytes`, 'upload');
    }
    byKey.set(upload.key, upload);
  }
  return planned.toSorted((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};
