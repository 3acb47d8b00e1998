import { derivativeKeys } from '../../lambdas/shared/documents/derivative-keys';
import type { S3Pointer } from '../../lambdas/shared/documents/metadata-item';
import type { Derivative, DerivativeStore } from '../../lambdas/shared/ports/derivative-store';
import type { StoredDerivatives } from '../../lambdas/shared/ports/stored-derivatives';

/** In-memory derivatives bucket: keeps every object written, by key, and lists and removes them. */
export class InMemoryDerivativeStore implements DerivativeStore, StoredDerivatives {
  readonly objects = new Map<string, { readonly body: Buffer; readonly contentType: string }>();

  constructor(readonly bucket = 'derivatives-test') {}

  async put(derivative: Derivative): Promise<S3Pointer> {
    this.objects.set(derivative.key, {
      body:
        typeof derivative.body === 'string'
          ? Buffer.from(derivative.body, 'utf8')
          : Buffer.from(derivative.body),
      contentType: derivative.contentType,
    });
    return { bucket: this.bucket, key: derivative.key };
  }

  async list(documentId: string): Promise<string[]> {
    const prefixes = derivativeKeys.prefixesOf(documentId);
    return [...this.objects.keys()].filter((key) => prefixes.some((prefix) => key.startsWith(prefix))).sort();
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }
}
