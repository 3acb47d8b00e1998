import { describe, expect, it } from 'vitest';
import {
  generateSecretString,
  LocalSecretsManager,
  randomPassword,
  SecretsManagerError,
} from '../../../../local/secrets/service';

describe('randomPassword', () => {
  it('draws 32 characters of every type by default', () => {
    // Act
    const password = randomPassword();

    // Assess
    expect(password).toHaveLength(32);
    for (const type of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(password).toMatch(type);
  });

  it('honours the length and the exclusions (CDK: passwordLength 64, excludePunctuation)', () => {
    // Act
    const passwords = Array.from({ length: 20 }, () =>
      randomPassword({ passwordLength: 64, excludePunctuation: true, excludeCharacters: 'aA0' }),
    );

    // Assess
    for (const password of passwords) expect(password).toMatch(/^[B-Zb-z1-9]{64}$/);
    expect(new Set(passwords).size).toBe(20);
  });

  it('refuses rules no password can meet', () => {
    // Act
    const tooShort = () => randomPassword({ passwordLength: 3 });
    const nothingLeft = () =>
      randomPassword({
        excludeLowercase: true,
        excludeUppercase: true,
        excludeNumbers: true,
        excludePunctuation: true,
      });

    // Assess
    expect(tooShort).toThrow(SecretsManagerError);
    expect(nothingLeft).toThrow(SecretsManagerError);
  });
});

describe('generateSecretString', () => {
  it('puts the password under the key of the JSON template', () => {
    // Act
    const secret = JSON.parse(
      generateSecretString({
        secretStringTemplate: '{"username":"docflow"}',
        generateStringKey: 'password',
        passwordLength: 16,
      }),
    );

    // Assess
    expect(secret.username).toBe('docflow');
    expect(secret.password).toHaveLength(16);
  });
});

describe('LocalSecretsManager', () => {
  it('finds a secret by name, ARN, or ARN without its random suffix', () => {
    // Prepare
    const secrets = new LocalSecretsManager({ region: 'eu-west-1', accountId: '123456789012' });
    const { ARN } = secrets.call('CreateSecret', { Name: 'docflow/cursor', SecretString: 's3cr3t' });
    const partialArn = String(ARN).replace(/-[A-Za-z0-9]{6}$/, '');

    // Act
    const values = ['docflow/cursor', String(ARN), partialArn].map(
      (id) => secrets.call('GetSecretValue', { SecretId: id }).SecretString,
    );

    // Assess
    expect(ARN).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow\/cursor-[A-Za-z0-9]{6}$/,
    );
    expect(values).toEqual(['s3cr3t', 's3cr3t', 's3cr3t']);
  });

  it('treats a retried CreateSecret (same token, same value) as done', () => {
    // Prepare
    const secrets = new LocalSecretsManager();
    const token = 'a'.repeat(32);
    const first = secrets.call('CreateSecret', { Name: 'n', SecretString: 'v', ClientRequestToken: token });

    // Act
    const retried = secrets.call('CreateSecret', { Name: 'n', SecretString: 'v', ClientRequestToken: token });
    const conflicting = () => secrets.call('CreateSecret', { Name: 'n', SecretString: 'other' });

    // Assess
    expect(retried).toEqual(first);
    expect(conflicting).toThrow(/already exists/);
  });

  it('names the problem with the exception type the SDK expects', () => {
    // Prepare
    const secrets = new LocalSecretsManager();
    secrets.call('CreateSecret', { Name: 'empty' });

    // Act
    const errors = [
      () => secrets.call('GetSecretValue', { SecretId: 'missing' }),
      () => secrets.call('GetSecretValue', { SecretId: 'empty' }),
      () => secrets.call('CreateSecret', { Name: 'bad name!' }),
      () => secrets.call('RotateSecret', { SecretId: 'empty' }),
    ].map((call) => {
      try {
        call();
        return undefined;
      } catch (error) {
        return (error as Error).name;
      }
    });

    // Assess
    expect(errors).toEqual([
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      'InvalidParameterException',
      'UnknownOperationException',
    ]);
  });
});
