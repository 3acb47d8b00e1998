import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentListSchema } from '../../lambdas/api/schemas';
import { awsToolEnv, runDocflow } from '../support/docflow-process';
import { useFileCloudSession } from '../support/local-cloud-session';

/**
 * The CLI's `--stack` path end to end: it finds the stack through CloudFormation DescribeStacks, as
 * against AWS, here answered by the local cloud, with credentials and endpoint from the environment.
 */

const cloud = useFileCloudSession('cli-stack');
const { session } = cloud;

/** Runs `docflow` as a user would, pointed at the local endpoint like any AWS tool. */
const docflow = (args: readonly string[]) =>
  runDocflow(args, { cwd: cloud.folder(), env: awsToolEnv(session.cloud, cloud.folder()) });

describe('docflow --stack against the local cloud', () => {
  it('uploads, waits and lists through the stack’s outputs', async () => {
    // Prepare
    const stack = session.cloud.deployment.stackName;
    const file = join(cloud.folder(), 'stack notes.txt');
    await writeFile(file, 'Notes uploaded through --stack.\n');

    // Act
    const uploaded = await docflow(['upload', file, '--wait', '--stack', stack]);
    const listed = await docflow(['ls', '--json', '--stack', stack]);

    // Assess
    expect(uploaded.stderr).not.toMatch(/error/i);
    expect(uploaded.code).toBe(0);
    expect(listed.code).toBe(0);
    const { items } = documentListSchema.parse(JSON.parse(listed.stdout));
    expect(items.map((item) => [item.key, item.status])).toEqual([['incoming/stack notes.txt', 'PROCESSED']]);
  });

  it('says in one line that a stack does not exist', async () => {
    // Act
    const missing = await docflow(['ls', '--stack', 'Docflow-nowhere']);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('Docflow-nowhere');
  });
});
