// Native modules are loaded at the top (sharp through image-probe), so the main thread holds them
// before any worker loads them (see defineSandboxedTask): the handler imports this module.
import { defineSandboxedTask, type SandboxedTask, SandboxPool } from '../shared/sandbox/sandboxed-task';
import { confirmDocx, confirmType, type DetectedType, detectType } from './detect-type';
import { probeDocx, rejectCompoundFile } from './docx-probe';
import { probeImage } from './image-probe';
import { probePdf } from './pdf-probe';
import { type TextEncoding, verifyText } from './text-probe';

/** Bounds of one probe. Plain data: it crosses into a sandboxed process. */
export interface ProbeLimits {
  /** Largest width × height of an image (or of one image inside a PDF) that is decoded. */
  readonly maxPixels: number;
  /** Most pages a PDF or multi-page image may have. */
  readonly maxPages: number;
}

/** What the first bytes of an object say it is. */
export interface DetectRequest {
  /** The first bytes of the object (the whole object when it is small). */
  readonly sample: Uint8Array;
  /** Whether `sample` is the whole object. */
  readonly complete: boolean;
  /** Budget of the detection; over it the document is CORRUPT. */
  readonly budgetMs: number;
}

/** Reads the whole bytes of an object whose type the sample told. */
export interface ProbeRequest {
  readonly detected: DetectedType;
  readonly bytes: Uint8Array;
  readonly limits: ProbeLimits;
  /** Budget of the probe; over it the document is CORRUPT. */
  readonly budgetMs: number;
}

/**
 * What a probe learns from the bytes, by kind. Facts only: which text strategy follows from them is the
 * inspection's decision (see `inspectDocument`).
 */
export type ProbeFindings =
  | {
      readonly family: 'pdf';
      readonly mimeType: string;
      readonly type: 'pdf';
      readonly pages: number;
      readonly hasTextLayer: boolean;
      readonly title?: string;
      readonly author?: string;
    }
  | {
      readonly family: 'raster' | 'svg';
      readonly mimeType: string;
      readonly type: string;
      readonly width: number;
      readonly height: number;
      readonly pages: number;
    }
  | {
      readonly family: 'text';
      readonly mimeType: string;
      readonly type: 'text';
      /** The encoding that reads the whole file (the sample's, or the one found when it did not). */
      readonly encoding: TextEncoding;
    }
  | {
      readonly family: 'docx';
      readonly mimeType: string;
      readonly type: 'docx';
      readonly title?: string;
      readonly author?: string;
    };

/**
 * Parses the bytes of a document for Inspect: the type from the first bytes, then what the whole bytes
 * hold. Every parser that meets the bytes (file-type, pdf.js, sharp, jszip) runs behind it; the real one
 * runs them sandboxed ({@link SandboxedDocumentProber}). Every failure of the bytes is a typed rejection.
 */
export interface DocumentProber {
  detect(request: DetectRequest): Promise<DetectedType>;
  probe(request: ProbeRequest): Promise<ProbeFindings>;
}

const probeBytes = async (
  sniffed: DetectedType,
  bytes: Uint8Array,
  limits: ProbeLimits,
  budgetMs: number,
): Promise<ProbeFindings> => {
  const detected = await confirmType(sniffed, bytes);
  switch (detected.family) {
    case 'pdf': {
      const pdf = await probePdf(bytes, {
        maxPages: limits.maxPages,
        maxPixels: limits.maxPixels,
        timeoutMs: budgetMs,
      });
      return { family: 'pdf', mimeType: detected.mimeType, type: detected.type, ...pdf };
    }
    case 'raster': {
      const image = await probeImage(bytes, {
        maxPixels: limits.maxPixels,
        maxPages: limits.maxPages,
        // The runtime's libvips reads HEIC headers but has no HEVC decoder to prove the data with.
        verifyDecode: detected.type !== 'heic',
      });
      return {
        family: 'raster',
        mimeType: detected.mimeType,
        type: detected.type,
        width: image.width,
        height: image.height,
        pages: image.pages,
      };
    }
    case 'svg': {
      // Parsing the SVG for its size proves it well-formed; rendering it is the thumbnail step's work.
      const image = await probeImage(bytes, {
        maxPixels: limits.maxPixels,
        maxPages: limits.maxPages,
        verifyDecode: false,
      });
      return {
        family: 'svg',
        mimeType: detected.mimeType,
        type: detected.type,
        width: image.width,
        height: image.height,
        pages: 1,
      };
    }
    case 'text':
      return {
        family: 'text',
        mimeType: detected.mimeType,
        type: detected.type,
        encoding: verifyText(bytes, detected.encoding),
      };
    case 'zip': {
      const mimeType = await confirmDocx(bytes);
      return { family: 'docx', mimeType, type: 'docx', ...(await probeDocx(bytes)) };
    }
    case 'compound-file':
      return rejectCompoundFile(bytes);
  }
};

/** One step of the probe, as it crosses into a sandboxed process. */
export type ProbeJob =
  | { readonly step: 'detect'; readonly request: DetectRequest }
  | { readonly step: 'probe'; readonly request: ProbeRequest };

/** What a {@link ProbeJob} answers, tagged with its step. */
export type ProbeJobAnswer =
  | { readonly step: 'detect'; readonly detected: DetectedType }
  | { readonly step: 'probe'; readonly findings: ProbeFindings };

/** Runs one step of the probe in the calling thread; see {@link PROBE_TASK}. */
export const runProbeJob = async (job: ProbeJob): Promise<ProbeJobAnswer> => {
  switch (job.step) {
    case 'detect':
      return { step: 'detect', detected: await detectType(job.request.sample, job.request.complete) };
    case 'probe': {
      const { detected, bytes, limits, budgetMs } = job.request;
      return { step: 'probe', findings: await probeBytes(detected, bytes, limits, budgetMs) };
    }
    default:
      throw new Error(`no probe step ${String((job as { step: unknown }).step)}`);
  }
};

/**
 * The probe as one sandboxed task, both steps: one warm thread serves an inspection's detection and
 * its probe (a second task would keep a second thread, with pdf.js and sharp loaded again).
 */
export const PROBE_TASK = defineSandboxedTask(import.meta.url, 'inspect.probe', runProbeJob);

/** {@link DocumentProber} in the calling thread: for tests and tools, never for hostile bytes. */
export const inProcessDocumentProber: DocumentProber = {
  detect: (request) => detectType(request.sample, request.complete),
  probe: ({ detected, bytes, limits, budgetMs }) => probeBytes(detected, bytes, limits, budgetMs),
};

export interface SandboxedDocumentProberOptions {
  /** Heap cap of the probing thread, in MiB; over it the document is TOO_LARGE. */
  readonly memoryMb: number;
  /** The task the pool runs. @default PROBE_TASK (another one only to test the containment itself) */
  readonly task?: SandboxedTask<ProbeJob, ProbeJobAnswer>;
}

/**
 * {@link DocumentProber} in sandboxed processes: a parser that spins on a hostile file is killed at
 * the step's budget (CORRUPT), one that balloons at the heap cap (TOO_LARGE), and the function lives on.
 * A warm thread is reused after steps that succeed (see {@link SandboxPool}), so an invocation does not
 * pay a thread start, and a document that failed never shares a thread with the next one.
 */
export class SandboxedDocumentProber extends SandboxPool<ProbeJob, ProbeJobAnswer> implements DocumentProber {
  constructor({ memoryMb, task = PROBE_TASK }: SandboxedDocumentProberOptions) {
    super(task, { memoryMb });
  }

  async detect(request: DetectRequest): Promise<DetectedType> {
    const answer = await this.run({ step: 'detect', request }, request.budgetMs);
    if (answer.step !== 'detect') throw new Error(`the probe thread answered a ${answer.step} step`);
    return answer.detected;
  }

  async probe(request: ProbeRequest): Promise<ProbeFindings> {
    const answer = await this.run({ step: 'probe', request }, request.budgetMs);
    if (answer.step !== 'probe') throw new Error(`the probe thread answered a ${answer.step} step`);
    return answer.findings;
  }
}
