import { describe, expect, it } from 'vitest';
import {
  prestartSynthesis,
  SynthesisError,
  synthesizeInChildProcess,
} from '../../../../local/deploy/synth-child';

describe('synthesizeInChildProcess', () => {
  it('answers with the stack from a process started ahead of the request', async () => {
    // Arrange
    prestartSynthesis();

    // Act
    const stack = await synthesizeInChildProcess();

    // Assess
    const types = Object.values(stack.template.Resources).map((resource) => resource.Type);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(Object.keys(stack.fileAssets).length).toBeGreaterThan(0);
  });

  it('stops its process when aborted, and says so', async () => {
    // Arrange
    const controller = new AbortController();

    // Act
    const synthesis = synthesizeInChildProcess({ signal: controller.signal });
    controller.abort();

    // Assess
    await expect(synthesis).rejects.toThrow(
      /synthesizing the CDK app stopped \(SIGTERM\) before it answered/,
    );
  });
  it("rejects with the app's own message as a SynthesisError when the app cannot be synthesized", async () => {
    // Act
    const synthesis = synthesizeInChildProcess({ context: { 'docflow:stage': 'Not A Stage!' } });

    // Assess
    await expect(synthesis).rejects.toThrow(SynthesisError);
    await expect(synthesis).rejects.toThrow(/docflow:stage must be 1–20 lowercase letters/);
  });
});
