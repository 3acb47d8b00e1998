import * as z from '../shared/runtime/zod';
import { apiSchemas } from './schemas';

/**
 * The answer of `POST /documents/{id}/reprocess`, registered in {@link apiSchemas} with the others, so
 * the OpenAPI document shows it; tests and the CLI parse answers with it.
 */
export const reprocessTicketSchema = z
  .object({
    documentId: z.string(),
    version: z.string().check(z.meta({ description: 'The recorded version that runs again.' })),
    generation: z.int().check(
      z.gte(1),
      z.meta({
        description: 'The run this request starts: one more than the recorded run’s.',
      }),
    ),
    executionName: z.string().check(
      z.meta({
        description:
          'The Step Functions execution the request starts; asking again before that run claims the record names the same execution, which starts once.',
      }),
    ),
  })
  .register(apiSchemas, {
    id: 'ReprocessTicket',
    description: 'A reprocess request, queued for the starter (the same path uploads take).',
  });

export type ReprocessTicket = z.output<typeof reprocessTicketSchema>;
