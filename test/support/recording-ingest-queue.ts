import type { IngestQueue } from '../../lambdas/api/ports';

/** An ingest queue that keeps what it was sent, in order. */
export class RecordingIngestQueue implements IngestQueue {
  readonly bodies: string[] = [];

  async send(body: string): Promise<void> {
    this.bodies.push(body);
  }
}
