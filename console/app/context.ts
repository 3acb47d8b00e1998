import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConsoleConfig } from '../shared/api';
import type { ConsoleClient } from './api/client';
import type { UploadQueue } from './uploads/upload-queue';

/** What every page may use: the typed client, what the console looks at, and the session's uploads. */
export interface ConsoleServices {
  readonly client: ConsoleClient;
  readonly config: ConsoleConfig;
  readonly uploads: UploadQueue;
}

export const ConsoleContext = createContext<ConsoleServices | undefined>(undefined);

export const useConsole = (): ConsoleServices => {
  const services = useContext(ConsoleContext);
  if (!services) throw new Error('useConsole outside ConsoleContext');
  return services;
};
