import type { Derivative, DerivativeStore } from '../../lambdas/shared/derivative-store';
import type { S3Pointer } from '../../lambdas/shared/metadata-item';

/** In-memory {@link DerivativeStore} on one bucket: keeps every object written, by key. */
export class InMemoryDerivativeStore implements DerivativeStore {
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
}
