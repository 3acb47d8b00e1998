import { type ProbeJob, type ProbeJobAnswer, runProbeJob } from '../../lambdas/inspect/document-prober';
import { defineSandboxedTask } from '../../lambdas/shared/sandbox/sandboxed-task';

/**
 * Inspect's probe, misbehaving on cue: in the step named by a cue among the first bytes (`spin:detect`,
 * `spin:probe`) it never returns, on `balloon:<step>` it allocates without bound, otherwise it probes
 * for real. Run through `SandboxedDocumentProber`, it shows what the containment does to an inspection
 * whichever parser is the one that breaks. (Apart from ./hostile-tasks, which the bundle test bundles:
 * this module loads Inspect's parsers.)
 */
export const misbehavingProbe = defineSandboxedTask(
  import.meta.url,
  'test.misbehaving-probe',
  async (job: ProbeJob): Promise<ProbeJobAnswer> => {
    const bytes = job.step === 'detect' ? job.request.sample : job.request.bytes;
    const cue = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
    if (cue.includes(`spin:${job.step}`)) {
      for (;;) {
        // busy
      }
    }
    if (cue.includes(`balloon:${job.step}`)) {
      const kept: number[][] = [];
      for (;;) kept.push(new Array(1_000_000).fill(kept.length));
    }
    return runProbeJob(job);
  },
);
