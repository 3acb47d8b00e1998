import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_MS } from '../local/idle-collection';
import { bundleSizes } from './bundles';
import { runBurst } from './burst';
import { type CloudProcess, killAllCloudsNow, PROJECT_ROOT, startCloudProcess } from './cloud-process';
import { compareResults } from './compare';
import { modelledCostPer1000Documents } from './cost';
import { DirectWork } from './direct-work';
import { bundleKey, WARM_KINDS } from './figures';
import { measureIdleCpu, waitUntilSettled } from './idle';
import { isUsageError, parseOptions, USAGE } from './options';
import { type Finished, PipelineClient } from './pipeline-client';
import {
  clockTicksPerSecond,
  cpuTicksByRole,
  kibToMiB,
  processRssKiB,
  RssSampler,
  treePssKiB,
  treeStats,
} from './proc';
import { summarizeProfiles, type TimeWindow } from './profile';
import { renderReport } from './report';
import {
  type BenchOptions,
  type BenchResult,
  committedReference,
  differingOptions,
  type Figures,
  gitState,
  type RunResult,
  writeResult,
} from './results';
import { median, medianOfRuns, sum, summarize } from './stats';

const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

const SAMPLE_DOCS = join(PROJECT_ROOT, 'sample-docs');

/** The sample set: every file sample-docs/expected-results.json lists. */
const readSampleDocs = async (): Promise<Map<string, Buffer>> => {
  const expected = JSON.parse(await readFile(join(SAMPLE_DOCS, 'expected-results.json'), 'utf8')) as {
    file: string;
  }[];
  const files = new Map<string, Buffer>();
  for (const { file } of expected) files.set(file, await readFile(join(SAMPLE_DOCS, file)));
  return files;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Σ over documents of the median of each document's times. */
const sumOfMedians = (times: ReadonlyMap<string, readonly number[]>): number =>
  sum([...times.values()].map((values) => median(values) ?? 0));

/**
 * The direct work, ready to time: the OCR engine started and every sample processed once, so that no
 * timed pass pays a library's first load.
 */
const startDirectWork = async (docs: ReadonlyMap<string, Buffer>): Promise<DirectWork> => {
  const work = new DirectWork();
  await work.warmUp();
  for (const bytes of docs.values()) await work.process(bytes);
  return work;
};

/**
 * Pause before each timed direct document: what the previous pipeline document left running (its cost
 * record, its trace segments) ends first, and does not land in the direct time.
 */
const PAIR_SETTLE_MS = 250;

/** Appends one time to a file's list. */
const record = (times: Map<string, number[]>, file: string, ms: number): void => {
  times.set(file, [...(times.get(file) ?? []), ms]);
};

const DOCUMENT_TIMEOUT_MS = 120_000;

/** Uploads one document and waits for its terminal status. */
const timeOne = async (
  client: PipelineClient,
  key: string,
  body: Uint8Array,
  pollMs: number,
): Promise<Finished> =>
  client.waitFor(await client.upload(key, body), { timeoutMs: DOCUMENT_TIMEOUT_MS, pollMs });

interface RunContext {
  readonly options: BenchOptions;
  readonly docs: ReadonlyMap<string, Buffer>;
  /** The ratio's denominator, timed in each run beside the pipeline: see {@link oneRun}. */
  readonly direct: DirectWork;
  readonly index: number;
}

let currentCloud: CloudProcess | undefined;
/** Temporary folders of the run in progress, removed however the bench ends. */
const workDirs = new Set<string>();

const newWorkDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'docflow-bench-'));
  workDirs.add(dir);
  return dir;
};

const removeWorkDir = async (dir: string): Promise<void> => {
  await rm(dir, { recursive: true, force: true });
  workDirs.delete(dir);
};

/** Stops the cloud in progress and removes every temporary folder. */
const cleanUp = async (): Promise<void> => {
  await currentCloud?.stop();
  currentCloud = undefined;
  for (const dir of workDirs) await removeWorkDir(dir);
};

const oneRun = async ({ options, docs, direct, index }: RunContext): Promise<RunResult> => {
  const runId = `${Date.now().toString(36)}-${index}`;
  const workDir = await newWorkDir();
  const figures: Figures = {};
  const details: Record<string, unknown> = {};
  let sampler: RssSampler | undefined;
  let client: PipelineClient | undefined;
  try {
    log(`run ${index + 1}/${options.runs}: starting docflow up (fresh data in ${workDir})`);
    const cloud = await startCloudProcess({
      dataDir: join(workDir, 'data'),
      logFile: join(workDir, 'up.log'),
    });
    currentCloud = cloud;
    figures['start.readyMs'] = cloud.readyMs;
    const rss = new RssSampler(cloud.pid);
    sampler = rss;
    /** The tree's RSS and PSS, and `up`'s own RSS, at one point of the run. */
    const readRss = (point: string): void => {
      figures[`rss.${point}MiB`] = kibToMiB(rss.sample().rssKiB);
      figures[`rss.up.${point}MiB`] = kibToMiB(processRssKiB(cloud.pid) ?? 0);
      figures[`pss.${point}MiB`] = kibToMiB(treePssKiB(cloud.pid));
    };
    readRss('idle');
    /**
     * Memory after a stage is read once the cloud has had a quiet moment, as a user reads it when the
     * stage is done: `up` gives back the heap a stage grew 2 s after its last request (decision 65).
     * The peak is sampled throughout (`rss.peakMiB`).
     */
    const readSettledRss = async (point: string): Promise<void> => {
      await sleep(QUIET_MS + 1_000);
      readRss(point);
    };
    client = new PipelineClient(cloud.deployment);
    const prefix = `incoming/bench/${runId}`;
    const text = docs.get('notes.txt');
    if (!text) throw new Error('sample-docs/notes.txt is missing');

    const cold = await timeOne(client, `${prefix}/cold/notes.txt`, text, 25);
    figures['cold.textMs'] = cold.latencyMs;
    details.cold = cold;
    log(`cold first text file: ${Math.round(cold.latencyMs)} ms (${cold.status})`);

    const warm: Record<string, Finished[]> = {};
    for (const { kind, file } of WARM_KINDS) {
      const body = docs.get(file);
      if (!body) throw new Error(`sample-docs/${file} is missing`);
      await timeOne(client, `${prefix}/warm/${kind}/warm-up-${file}`, body, 100);
      const samples: Finished[] = [];
      for (let sample = 0; sample < options.samples; sample++) {
        samples.push(await timeOne(client, `${prefix}/warm/${kind}/${sample}-${file}`, body, 100));
      }
      const summary = summarize(samples.map((finished) => finished.latencyMs));
      figures[`warm.${kind}.p50Ms`] = summary.p50;
      figures[`warm.${kind}.p95Ms`] = summary.p95;
      warm[kind] = samples;
      log(`warm ${kind}: p50 ${Math.round(summary.p50 ?? 0)} ms, p95 ${Math.round(summary.p95 ?? 0)} ms`);
    }
    details.warm = warm;

    // Each document is done directly, then through the pipeline, one after the other: both sides of the
    // ratio meet the same moment of a shared machine. Timed once before the runs, the direct side alone
    // moved 1.3–1.9 s between benches, and the ratio with it.
    const pipelineTimes = new Map<string, number[]>();
    const directTimes = new Map<string, number[]>();
    for (let pass = 0; pass < options.ratioPasses; pass++) {
      for (const [file, body] of docs) {
        await sleep(PAIR_SETTLE_MS);
        const started = performance.now();
        await direct.process(body);
        record(directTimes, file, performance.now() - started);
        const finished = await timeOne(client, `${prefix}/samples/${pass}/${file}`, body, 100);
        record(pipelineTimes, file, finished.latencyMs);
      }
    }
    const pipelineMs = sumOfMedians(pipelineTimes);
    const directMs = sumOfMedians(directTimes);
    // The sample mix's modelled cost: every file of the last pass, as record-cost priced it.
    const lastPass = options.ratioPasses - 1;
    const priced = client;
    const costs = await Promise.all(
      [...docs.keys()].map((file) =>
        priced.costOf(`${prefix}/samples/${lastPass}/${file}`, { timeoutMs: 30_000, pollMs: 500 }),
      ),
    );
    figures['cost.per1000DocumentsUsd'] = modelledCostPer1000Documents(costs);
    figures['ratio.pipelineMs'] = pipelineMs;
    figures['ratio.directMs'] = directMs;
    figures['ratio.pipelineOverDirect'] = pipelineMs / directMs;
    details.samples = Object.fromEntries(pipelineTimes);
    details.direct = Object.fromEntries(directTimes);
    await readSettledRss('afterSamples');
    log(
      `sample-docs: ${Math.round(pipelineMs)} ms through the pipeline, ${Math.round(directMs)} ms directly`,
    );

    log(`burst: ${options.burst} text files, ${options.concurrency} uploads at a time`);
    const burstStartedAt = Date.now();
    const cpuBeforeBurst = treeStats(cloud.pid);
    const burst = await runBurst(client, {
      keyPrefix: `${prefix}/burst`,
      runId,
      count: options.burst,
      concurrency: options.concurrency,
    });
    figures['burst.docsPerSecond'] = burst.docsPerSecond;
    figures['burst.p50Ms'] = burst.latency.p50;
    figures['burst.p95Ms'] = burst.latency.p95;
    figures['burst.notProcessed'] = burst.notProcessed;
    // CPU per document of the burst, by process role: where a document's cost goes.
    const burstCpu = cpuTicksByRole(cloud.pid, cpuBeforeBurst, treeStats(cloud.pid));
    const cpuMsPerDoc = Object.fromEntries(
      Object.entries(burstCpu).map(([role, ticks]) => [
        role,
        (ticks / clockTicksPerSecond()) * (1_000 / Math.max(1, options.burst)),
      ]),
    );
    figures['burst.cpuMsPerDoc'] = Object.values(cpuMsPerDoc).reduce((sum, ms) => sum + ms, 0);
    details.burst = { ...burst.details, cpuMsPerDoc };
    for (const { why, count } of burst.details.unprocessed) log(`burst: ${count} × ${why}`);
    await readSettledRss('afterBurst');
    log(
      `burst: ${burst.docsPerSecond.toFixed(1)} docs/s, p50 ${Math.round(burst.latency.p50 ?? 0)} ms, ` +
        `p95 ${Math.round(burst.latency.p95 ?? 0)} ms, ${burst.notProcessed} not PROCESSED; CPU per document ` +
        Object.entries(cpuMsPerDoc)
          .map(([role, ms]) => `${role} ${ms.toFixed(1)} ms`)
          .join(', '),
    );

    // More of the same until the run has processed --documents: what memory does over many documents.
    const processed =
      1 + WARM_KINDS.length * (options.samples + 1) + options.ratioPasses * docs.size + options.burst;
    const more = (options.documents ?? 0) - processed;
    const uploads = [...burst.uploads];
    if (more > 0) {
      log(`${more} more text files, until ${options.documents} documents in this run`);
      const rest = await runBurst(client, {
        keyPrefix: `${prefix}/burst`,
        runId,
        count: more,
        concurrency: options.concurrency,
        firstIndex: options.burst,
      });
      uploads.push(...rest.uploads);
      figures['documents.notProcessed'] = rest.notProcessed;
      await readSettledRss('afterDocuments');
      const growth = (key: string): number | undefined => {
        const after = figures[`${key}.afterDocumentsMiB`];
        const before = figures[`${key}.afterBurstMiB`];
        return after === undefined || before === undefined ? undefined : (after / before - 1) * 100;
      };
      figures['rss.growthPercent'] = growth('rss');
      figures['rss.up.growthPercent'] = growth('rss.up');
      figures['pss.growthPercent'] = growth('pss');
    }

    const settled = await waitUntilSettled(
      client,
      uploads.map((upload) => upload.key),
      burstStartedAt,
    );
    const idle = await measureIdleCpu(cloud.pid, options.idleSeconds);
    figures['cpu.idlePercent'] = idle.percent;
    figures['rss.peakMiB'] = kibToMiB(sampler.peakKiB);
    details.idle = { ...settled, byRolePercent: idle.byRole };
    log(`idle: ${idle.percent.toFixed(2)} % of a core after ${settled.waitedMs} ms settling`);
    details.processes = idle.processes;
    details.hwmSumMiB = kibToMiB(idle.hwmKiB);
    return { figures, details };
  } finally {
    sampler?.stop();
    client?.close();
    await cleanUp();
  }
};

/** Start, a cold document and a burst under --cpu-prof, then where the time went in each. */
const profileRun = async (options: BenchOptions & { profile: string }): Promise<void> => {
  await mkdir(options.profile, { recursive: true });
  const workDir = await newWorkDir();
  const now = (): number => Number(process.hrtime.bigint() / 1000n);
  const windows: { name: string; from: number; to: number }[] = [];
  let client: PipelineClient | undefined;
  try {
    log(`profiling docflow up (profiles in ${options.profile})`);
    const spawnedAt = now();
    const cloud = await startCloudProcess({
      dataDir: join(workDir, 'data'),
      logFile: join(workDir, 'up.log'),
      nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${options.profile}`],
    });
    currentCloud = cloud;
    windows.push({ name: 'start → ready', from: spawnedAt, to: now() });
    client = new PipelineClient(cloud.deployment);
    const docs = await readSampleDocs();
    const coldFrom = now();
    const cold = await timeOne(
      client,
      'incoming/profile/cold/notes.txt',
      docs.get('notes.txt') as Buffer,
      25,
    );
    windows.push({
      name: `cold first text file (${Math.round(cold.latencyMs)} ms)`,
      from: coldFrom,
      to: now(),
    });
    const burstFrom = now();
    const since = Date.now();
    const burst = await runBurst(client, {
      keyPrefix: 'incoming/profile/burst',
      runId: 'profile',
      count: options.burst,
      concurrency: options.concurrency,
    });
    const uploads = burst.uploads;
    const finished = burst.uploads.length - burst.notProcessed;
    windows.push({ name: `burst of ${options.burst} (${finished} PROCESSED)`, from: burstFrom, to: now() });
    await waitUntilSettled(
      client,
      uploads.map((upload) => upload.key),
      since,
    );
    const idleFrom = now();
    await sleep(options.idleSeconds * 1_000);
    windows.push({ name: `idle ${options.idleSeconds} s after the burst`, from: idleFrom, to: now() });
  } finally {
    client?.close();
    // SIGTERM: `up` stops and exits normally, which is when Node writes its profiles.
    await cleanUp();
  }
  // Kept beside the profiles, so that they can be summarized again (bench/profile.ts).
  await writeFile(join(options.profile, 'windows.json'), `${JSON.stringify(windows, null, 2)}\n`, 'utf8');
  for (const line of await summarizeProfiles(options.profile, windows)) process.stdout.write(`${line}\n`);
};

const main = async (): Promise<number> => {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { profile, summarize, ...options } = parsed;
  if (summarize) {
    const windows = JSON.parse(await readFile(join(summarize, 'windows.json'), 'utf8')) as TimeWindow[];
    for (const line of await summarizeProfiles(summarize, windows)) process.stdout.write(`${line}\n`);
    return 0;
  }
  if (profile) {
    await profileRun({ ...options, profile });
    return 0;
  }
  const loadAtStart = loadavg()[0] ?? 0;
  const createdAt = new Date().toISOString();
  // Read now: other commits may land while the bench runs.
  const git = gitState();
  log('bundling every function as the CDK app does (esbuild, metafile)');
  const bundles = await bundleSizes();
  const docs = await readSampleDocs();
  log('the sample-docs directly in this process: a warm-up (timed in each run, beside the pipeline)');
  const direct = await startDirectWork(docs);
  const runs: RunResult[] = [];
  try {
    for (let index = 0; index < options.runs; index++) {
      runs.push(await oneRun({ options, docs, direct, index }));
    }
  } finally {
    await direct.stop();
  }
  const figures: Figures = { ...medianOfRuns(runs.map((run) => run.figures)) };
  const isNative = (bundle: (typeof bundles)[number]): boolean => bundle.nativePackages.length > 0;
  for (const bundle of bundles) figures[bundleKey(bundle.name)] = bundle.jsBytes / 1000;
  const maxKB = (selected: typeof bundles): number | undefined =>
    selected.length === 0 ? undefined : Math.max(...selected.map((bundle) => bundle.jsBytes / 1000));
  figures['bundle.maxPlainKB'] = maxKB(bundles.filter((bundle) => !isNative(bundle)));
  figures['bundle.maxNativeKB'] = maxKB(bundles.filter(isNative));

  const result: BenchResult = {
    schema: 1,
    createdAt,
    git,
    machine: {
      cpus: availableParallelism(),
      node: process.version,
      loadAverage: [loadAtStart, loadavg()[0] ?? 0],
    },
    options,
    figures,
    runs,
    bundles,
  };
  const reference = committedReference();
  const comparisons = compareResults(figures, reference?.figures);
  process.stdout.write(
    `\ndocflow bench · ${options.runs} run(s), medians · ${result.machine.cpus} cores, load ${loadAtStart.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}` +
      ` · vs ${reference ? `committed result of ${reference.createdAt ?? '?'}` : 'nothing committed yet'}\n\n`,
  );
  for (const line of renderReport(figures, comparisons, { width: process.stdout.columns })) {
    process.stdout.write(`${line}\n`);
  }
  const differing = differingOptions(options, reference?.options);
  if (differing.length > 0) {
    process.stdout.write(
      `\nnote: the reference was measured with other options (${differing.join(', ')}): some changes are not comparable\n`,
    );
  }
  const natives = bundles
    .filter(isNative)
    .map((bundle) => `${bundle.name} (${bundle.nativePackages.join(', ')})`);
  process.stdout.write(`\nfunctions with native packages: ${natives.join('; ') || 'none'}\n`);
  const written = await writeResult(result);
  process.stdout.write(
    `written: ${written.map((path) => path.replace(`${PROJECT_ROOT}/`, '')).join(', ')}\n`,
  );
  const regressions = comparisons.filter((comparison) => comparison.verdict === 'regression');
  if (regressions.length > 0) {
    process.stdout.write(
      `regressions over 20 %: ${regressions.map((comparison) => comparison.key).join(', ')}\n`,
    );
  }
  return 0;
};

let interrupted = false;
const interrupt = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: stopping the local cloud and removing its data`);
  void cleanUp().finally(() => process.exit(130));
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
process.on('exit', () => {
  killAllCloudsNow();
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    if (isUsageError(error)) log(`${error.message} (see npm run bench -- --help)`);
    else log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await cleanUp();
    process.exitCode = 1;
  },
);
