import { describe, expect, it } from 'vitest';
import {
  buildWorkflowGraph,
  describeRule,
  InvalidDefinitionError,
  workflowGraphOf,
} from '../../../console/app/executions/definition-graph';
import { readDefinition } from '../../../statemachines/definition';

/** The workflow as deployed: its `${…}` placeholders substituted, function ARNs as ARNs. */
const definition = readDefinition()
  .replace(/\$\{(\w+)FunctionArn\}/g, 'arn:aws:lambda:us-east-1:000000000000:function:Docflow-dev-$1')
  .replace(/\$\{(\w+)\}/g, 'docflow-$1');

describe('buildWorkflowGraph', () => {
  it('draws the pipeline: Parallel branches as groups, Choice rules, Catch and Retry edges, Start and End', () => {
    // Act
    const graph = workflowGraphOf(definition);

    // Assess
    const byName = (name: string) => graph.byName.get(name);
    const edge = (from: string, to: string, kind: string) =>
      graph.edges.find(
        (candidate) =>
          candidate.source === byName(from)?.id &&
          candidate.target === byName(to)?.id &&
          candidate.kind === kind,
      );
    const parallel = byName('MakeDerivatives');
    expect(parallel?.type).toBe('Parallel');
    expect(
      parallel?.children.map((branch) => [branch.type, branch.children.map((state) => state.name)]),
    ).toEqual([
      ['Branch', ['Thumbnail']],
      ['Branch', expect.arrayContaining(['ChooseTextStrategy', 'NoText', 'ExtractTextLocally'])],
    ]);
    expect(byName('ExtractTextLocally')?.id).toBe('MakeDerivatives/1/ExtractTextLocally');
    expect(byName('Inspect')).toMatchObject({ type: 'Task', detail: 'Lambda' });
    expect(byName('SendToDlq')).toMatchObject({ detail: 'sqs:sendMessage' });
    expect(edge('RouteEvent', 'RecordDeletion', 'choice')?.description).toBe('$.deletion is present');
    expect(edge('ChooseTextStrategy', 'ExtractTextLocally', 'choice')?.label).toBe('textStrategy == "local"');
    expect(edge('Inspect', 'RecordRejected', 'catch')?.description).toContain('CorruptDocumentError');
    expect(edge('Inspect', 'RecordFailure', 'catch')?.label).toBe('States.ALL');
    expect(edge('Inspect', 'Inspect', 'retry')?.description).toContain('States.ALL: up to 2 more');
    expect(edge('Inspect', 'MakeDerivatives', 'next')).toBeDefined();
    expect(
      graph.edges.filter((candidate) => candidate.kind === 'start').map((start) => start.target),
    ).toEqual([byName('RouteEvent')?.id]);
    const ends = graph.edges.filter((candidate) => candidate.kind === 'end').map((end) => end.source);
    expect(ends).toEqual(expect.arrayContaining([byName('Processed')?.id, byName('Failed')?.id]));
    expect(ends).not.toContain(byName('Thumbnail')?.id);
  });

  it('draws no Retry edge for a retrier that never retries, and refuses what is not a definition', () => {
    // Prepare
    const machine = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Retry: [{ ErrorEquals: ['X'], MaxAttempts: 0 }],
          Next: 'Gone',
        },
      },
    };

    // Act
    const graph = buildWorkflowGraph(machine);

    // Assess
    expect(graph.edges.map((edge) => edge.kind)).toEqual(['start']);
    expect(() => workflowGraphOf('not json')).toThrow(InvalidDefinitionError);
    expect(() => buildWorkflowGraph({ States: {} })).toThrow('the definition has no States or StartAt');
    expect(describeRule({ Not: { Variable: '$.a', NumericGreaterThanPath: '$.b' } })).toBe('not ($.a > $.b)');
  });
});
