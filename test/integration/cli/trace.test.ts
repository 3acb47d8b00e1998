import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutTraceSegmentsCommand, XRayClient } from '@aws-sdk/client-xray';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main';
import { renderWaterfall } from '../../../cli/waterfall';
import { readTrace } from '../../../console/shared/trace-entities';
import { buildTraceTree } from '../../../console/shared/trace-tree';
import { documentId } from '../../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../../lambdas/shared/documents/metadata-item';
import type { RestApiServer } from '../../../local/api/rest-api-server';
import { writeDeploymentFile } from '../../../local/deployment-file';
import { type LocalXRay, startLocalXRay } from '../../../local/xray/service';
import { createMetadataTable, createQueue, TEST_AWS, testDocumentClient } from '../../support/aws';
import { runDocflow } from '../../support/docflow-process';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';
import { startLocalQueryApi } from '../../support/local-query-api';
import { memoryTerminal } from '../../support/memory-terminal';
import {
  asXRayTrace,
  fixtureStarterTrace,
  fixtureTrace,
  fixtureTraceId,
  STATE_MACHINE_NAME,
} from '../../unit/cli/fixture-trace';

const UPLOADS = 'trace-uploads';
const TABLE = 'trace-metadata';
const TRACED_KEY = 'incoming/report.pdf';
const UNTRACED_KEY = 'incoming/fresh.pdf';
const tracedId = documentId(UPLOADS, TRACED_KEY);

/** The document's upload run ten minutes ago, its redrive five minutes ago, and the starter's trace. */
const now = Math.floor(Date.now() / 1000);
const uploadRun = fixtureTrace(now - 600, {
  traceId: fixtureTraceId(now - 600, 'aaaaaaaaaaaaaaaaaaaaaaaa'),
  documentId: tracedId,
});
const redriveRun = fixtureTrace(now - 300, {
  traceId: fixtureTraceId(now - 300, 'bbbbbbbbbbbbbbbbbbbbbbbb'),
  documentId: tracedId,
});
const starter = fixtureStarterTrace(now - 301, redriveRun.traceId, tracedId);

let root: string;
let dataDir: string;
let xray: LocalXRay;
let local: LocalGateway;
let api: RestApiServer;

const cli = async (...args: string[]) => {
  const terminal = memoryTerminal({ columns: 100 });
  const code = await runCli([...args, '--data-dir', dataDir], { terminal, cwd: root });
  return { code, stdout: terminal.stdout, stderr: terminal.stderr, text: terminal.text() };
};

const item = (key: string, uploadedAt: number, updatedAt: number): MetadataItem => ({
  documentId: documentId(UPLOADS, key),
  bucket: UPLOADS,
  key,
  version: '0066C1D2E3F4A5B6C700000000000000',
  sequencer: '0066C1D2E3F4A5B6C700000000000000',
  status: 'PROCESSED',
  statusShard: 'PROCESSED#1',
  listShard: 'ALL#1',
  uploadedAt: new Date(uploadedAt * 1000).toISOString(),
  updatedAt: new Date(updatedAt * 1000).toISOString(),
  size: 1234,
  eTag: '"d41d8cd98f00b204e9800998ecf8427e"',
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docflow-cli-trace-'));
  dataDir = join(root, 'state');
  xray = await startLocalXRay({ region: TEST_AWS.region, logger: { warn: () => {} } });
  local = await startLocalGateway({
    extraRoutes: {
      xray: (request: IncomingMessage, response: ServerResponse) => xray.handler(request, response),
    },
  });
  await createMetadataTable(local.dynamo.endpoint, TABLE);
  const dynamo = testDocumentClient(local.dynamo.endpoint);
  await dynamo.send(new PutCommand({ TableName: TABLE, Item: item(TRACED_KEY, now - 600, now - 297) }));
  await dynamo.send(new PutCommand({ TableName: TABLE, Item: item(UNTRACED_KEY, now - 60, now - 58) }));

  const client = new XRayClient({ ...TEST_AWS, endpoint: local.endpoint });
  for (const trace of [uploadRun, redriveRun, starter]) {
    const { UnprocessedTraceSegments } = await client.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: trace.documents.map((document) => JSON.stringify(document)),
      }),
    );
    expect(UnprocessedTraceSegments).toEqual([]);
  }
  client.destroy();

  api = await startLocalQueryApi({
    endpoint: local.endpoint,
    table: TABLE,
    ingestQueueUrl: (await createQueue(local.endpoint, 'trace-ingest')).url,
    uploadsBucket: 'trace-uploads',
    label: 'trace',
  });
  await writeDeploymentFile(dataDir, {
    endpoint: local.endpoint,
    region: TEST_AWS.region,
    apiUrl: api.url,
    outputs: { UploadsBucketName: UPLOADS, ApiUrl: api.url },
  });
});

afterAll(async () => {
  await api?.stop();
  await local?.stop();
  await xray?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('docflow trace and show against the local X-Ray', () => {
  it('finds the document’s newest trace by its annotation and draws it as the unit fixture is drawn', async () => {
    // Act
    const result = await cli('trace', 'report.pdf');

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    const out = result.stdout;
    expect(out[0]).toBe(`${TRACED_KEY}  ${tracedId}  PROCESSED`);
    expect(out).toContain(`trace       ${redriveRun.traceId}`);
    expect(out).toContain('summary     3.2 s, 50 segments, 1 error, 4 faults, 1 retry, 3 cold starts');
    expect(out).toContain(`started by  ${starter.traceId} (docflow-starter)`);
    // The trace went through X-Ray (standalone subsegments re-attached, inferred segments added) and
    // still draws exactly as the documents do.
    const expected = renderWaterfall(buildTraceTree(readTrace(asXRayTrace(redriveRun))), {
      width: 100,
      colors: false,
    });
    const start = out.findIndex((line) => line.startsWith('SEGMENT'));
    expect(out.slice(start, start + expected.length)).toEqual(expected);
    expect(out[start + 1]).toMatch(new RegExp(`^${STATE_MACHINE_NAME} · state machine `));
    expect(out.slice(-2)).toEqual([
      'Other traces of this document, newest first (--trace <id> shows one, --all every one):',
      expect.stringContaining(uploadRun.traceId),
    ]);
  });

  it('prints the raw traces with --json and --all', async () => {
    // Act
    const result = await cli('trace', tracedId, '--all', '--json');

    // Assess
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.text);
    expect(parsed.traces.map((trace: { Id: string }) => trace.Id)).toEqual([
      redriveRun.traceId,
      uploadRun.traceId,
    ]);
    const functionSegment = parsed.traces[0].Segments.map(
      (segment: { Document: Record<string, unknown> }) => segment.Document,
    ).find(
      (document: { origin?: string; name: string }) =>
        document.origin === 'AWS::Lambda::Function' && document.name === 'docflow-index-metadata',
    );
    expect(functionSegment.subsegments.map((subsegment: { name: string }) => subsegment.name)).toEqual(
      expect.arrayContaining(['Invocation', '## index.handler', 'Overhead']),
    );
  });

  it('says in one line that a document has no trace yet, and `show` prints the trace line', async () => {
    // Act
    const none = await cli('trace', UNTRACED_KEY);
    const shown = await cli('show', TRACED_KEY);
    const shownFresh = await cli('show', UNTRACED_KEY);

    // Assess
    expect(none.code).toBe(1);
    expect(none.stdout).toEqual([]);
    expect(none.stderr).toHaveLength(1);
    expect(none.stderr[0]).toMatch(
      new RegExp(
        `^docflow trace: no trace of "${UNTRACED_KEY}" \\(${documentId(UPLOADS, UNTRACED_KEY)}\\) in X-Ray since `,
      ),
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContainEqual(
      `trace     ${redriveRun.traceId} (3.2 s, 50 segments, 1 error, 4 faults, 1 retry, 3 cold starts; 1 older trace)`,
    );
    expect(shownFresh.stdout).toContainEqual(expect.stringMatching(/^trace +none yet$/));
  });

  it('runs as `docflow trace` through bin/docflow.mjs: piped, it keeps names whole and prints no colour', async () => {
    // Act
    const { code, stdout } = await runDocflow(['trace', TRACED_KEY, '--data-dir', dataDir], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '1' },
    });

    // Assess
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toContain(
      'Lambda Invoke · attempt 1/2  ✗ fault Lambda.Unknown: We encountered an internal error.',
    );
  });
});
