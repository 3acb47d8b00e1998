import { describe, expect, it } from 'vitest';
import { readTrace } from '../../../console/shared/trace-entities';
import { buildTraceTree, type Span, spansOf } from '../../../console/shared/trace-tree';
import { asXRayTrace, FIXTURE_DOCUMENT_ID, fixtureTrace, STATE_MACHINE_NAME } from '../cli/fixture-trace';

const START = 1_795_000_000;

const fixtureTree = () => buildTraceTree(readTrace(asXRayTrace(fixtureTrace(START))));

/** `name [kind]` per row, indented by depth. */
const outline = (spans: readonly Span[]): string[] =>
  spans.map((span) => `${'  '.repeat(span.depth)}${span.entity.name} [${span.kind}]`);

describe('buildTraceTree', () => {
  it('nests states, attempts, the Lambda service’s and the function’s segments and the handler’s calls', () => {
    // Act
    const tree = fixtureTree();

    // Assess
    expect(tree.roots.map((root) => root.entity.name)).toEqual([STATE_MACHINE_NAME]);
    const rows = outline(spansOf(tree));
    expect(rows.slice(0, 20)).toEqual([
      `${STATE_MACHINE_NAME} [state-machine]`,
      '  RouteEvent [state]',
      '  MarkProcessing [state]',
      '    DynamoDB [aws-call]',
      '  Inspect [state]',
      '    Lambda [attempt]',
      '      docflow-inspect [lambda]',
      '        docflow-inspect [function]',
      '          Initialization [function-phase]',
      '          Invocation [function-phase]',
      '          ## index.handler [handler]',
      '            S3 [aws-call]',
      '          Overhead [function-phase]',
      '    Lambda [attempt]',
      '      docflow-inspect [lambda]',
      '        docflow-inspect [function]',
      '          Invocation [function-phase]',
      '          ## index.handler [handler]',
      '            S3 [aws-call]',
      '          Overhead [function-phase]',
    ]);
    expect(rows.slice(20, 24)).toEqual([
      '  MakeDerivatives [state]',
      '    Thumbnail [state]',
      '      Lambda [aws-call]',
      '        docflow-thumbnail [lambda]',
    ]);
    expect(rows.at(-1)).toBe('  Processed [state]');
  });

  it('counts retries as attempts after the first, marks cold starts, and counts errors and faults', () => {
    // Act
    const tree = fixtureTree();
    const spans = spansOf(tree);

    // Assess
    const inspect = spans.find((span) => span.entity.name === 'Inspect');
    expect(inspect?.attempts).toBe(2);
    expect(inspect?.children.map((child) => child.attempt)).toEqual([
      { number: 1, of: 2 },
      { number: 2, of: 2 },
    ]);
    expect(spans.filter((span) => span.coldStart).map((span) => `${span.entity.name} ${span.kind}`)).toEqual([
      'docflow-inspect function',
      'docflow-thumbnail function',
      'docflow-extract-text function',
    ]);
    expect(tree.facts).toEqual({
      durationMs: 3200,
      segments: 50,
      errors: 1,
      faults: 4,
      throttles: 0,
      retries: 1,
      coldStarts: 3,
      inProgress: false,
    });
    const putItem = spans.find((span) => span.entity.operation === 'PutItem');
    expect(putItem?.exceptions).toEqual([
      { type: 'ConditionalCheckFailedException', message: 'The conditional request failed' },
    ]);
    expect(putItem?.entity.httpStatus).toBe(400);
  });

  it('reads the handler’s annotations', () => {
    // Act
    const handlers = spansOf(fixtureTree()).filter((span) => span.kind === 'handler');

    // Assess
    expect(handlers).toHaveLength(5);
    expect(handlers.every((span) => span.entity.annotations.documentId === FIXTURE_DOCUMENT_ID)).toBe(true);
    expect(handlers.at(-1)?.entity.annotations.status).toBe('PROCESSED');
  });

  it('counts Lambda segments under one state as attempts when Step Functions wrote no attempt subsegments', () => {
    // Prepare
    const traceId = '1-6afc0b80-0123456789abcdef01234567';
    const machine = {
      id: '1000000000000001',
      name: 'm',
      origin: 'AWS::StepFunctions::StateMachine',
      start_time: START,
      end_time: START + 2,
      subsegments: [{ id: '1000000000000002', name: 'Inspect', start_time: START, end_time: START + 2 }],
    };
    const invoke = (id: string, at: number) => ({
      id,
      name: 'inspect',
      origin: 'AWS::Lambda',
      parent_id: '1000000000000002',
      start_time: START + at,
      end_time: START + at + 0.5,
    });
    const raw = readTrace({
      Id: traceId,
      Segments: [machine, invoke('2000000000000001', 1), invoke('2000000000000002', 0)].map((document) => ({
        Document: JSON.stringify(document),
      })),
    });

    // Act
    const tree = buildTraceTree(raw);

    // Assess
    const inspect = tree.roots[0]?.children[0];
    expect(inspect?.children.map((child) => [child.entity.id, child.kind, child.attempt?.number])).toEqual([
      ['2000000000000002', 'lambda', 1],
      ['2000000000000001', 'lambda', 2],
    ]);
    expect(tree.facts.retries).toBe(1);
  });

  it('leaves inferred segments out, keeps a segment whose parent is elsewhere as a root, and ignores loops', () => {
    // Prepare
    const segment = (fields: Record<string, unknown>) => ({
      start_time: START,
      end_time: START + 1,
      ...fields,
    });
    const raw = readTrace({
      Id: 't',
      Segments: [
        segment({ id: 'a000000000000001', name: 'fn', parent_id: 'ffffffffffffffff' }),
        segment({ id: 'a000000000000002', name: 'S3', inferred: true, parent_id: 'a000000000000001' }),
        segment({
          id: 'a000000000000003',
          name: 'x',
          parent_id: 'a000000000000004',
          start_time: START + 0.1,
        }),
        segment({
          id: 'a000000000000004',
          name: 'y',
          parent_id: 'a000000000000003',
          start_time: START + 0.2,
        }),
        { id: 'a000000000000005', name: 'no start time' },
        'not even an object',
      ].map((document) => ({ Document: JSON.stringify(document) })),
    });

    // Act
    const tree = buildTraceTree(raw);

    // Assess
    // x came first and went under y; y, whose parent x is then its own child, became a root.
    expect(outline(spansOf(tree))).toEqual(['fn [segment]', 'y [segment]', '  x [segment]']);
    expect(tree.unreadable).toBe(2);
  });

  it('names the exception a state’s cause points at by id', () => {
    // Prepare
    const raw = readTrace({
      Id: 't',
      Segments: [
        {
          id: 'b000000000000001',
          name: 'm',
          origin: 'AWS::StepFunctions::StateMachine',
          start_time: START,
          end_time: START + 1,
          subsegments: [
            {
              id: 'b000000000000002',
              name: 'Inspect',
              start_time: START,
              end_time: START + 1,
              fault: true,
              cause: 'e000000000000001',
              subsegments: [
                {
                  id: 'b000000000000003',
                  name: 'Lambda',
                  namespace: 'aws',
                  start_time: START,
                  end_time: START + 1,
                  fault: true,
                  cause: {
                    exceptions: [
                      { id: 'e000000000000001', type: 'Sandbox.Timedout', message: 'Task timed out' },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ].map((document) => ({ Document: JSON.stringify(document) })),
    });

    // Act
    const [state] = buildTraceTree(raw).roots[0]?.children ?? [];

    // Assess
    expect(state?.exceptions).toEqual([
      { id: 'e000000000000001', type: 'Sandbox.Timedout', message: 'Task timed out' },
    ]);
  });
});
