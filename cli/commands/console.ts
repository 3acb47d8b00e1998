import {
  CONSOLE_SERVICE,
  DEFAULT_CONSOLE_PORT,
  startConsoleServer,
} from '../../console/server/console-server';
import type { ErrorLog } from '../../console/server/problems';
import { PortInUseError, PortNotPermittedError } from '../../local/http/listen';
import { consolePortOption } from '../command-options';
import type { Command } from '../context';
import { CliError, EXIT } from '../errors';
import { resolveConnection } from '../target';
import type { Terminal } from '../terminal';
import { firstStopSignal } from './up';

/** What the console server could not do, on the terminal that started it. */
export const consoleLog =
  (terminal: Terminal): ErrorLog =>
  (message, error) =>
    terminal.info(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);

/**
 * `docflow console [--port 4568] [--stack <name>]`: the web console for the local cloud (what
 * `npm start` serves too) or a deployed stack, on 127.0.0.1 until Ctrl-C. The server signs every AWS
 * call with the credentials of this machine; the browser only ever talks to it.
 */
export const consoleCommand: Command = async ({ values }, context) => {
  const port = consolePortOption(values, 'port', 'console');
  const { terminal } = context;
  const connection = await resolveConnection(context.globals, context.dataDir);
  const stop = firstStopSignal();
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  try {
    server = await startConsoleServer({
      target: connection,
      port: port ?? DEFAULT_CONSOLE_PORT,
      // A deployed bucket takes browser uploads only from the origins its CORS rule names
      // (docflow:uploadCorsOrigins), so the console's origin must not move; the local S3 takes any port.
      anyPortIfTaken: port === undefined && connection.kind === 'local',
      log: consoleLog(terminal),
    });
  } catch (error) {
    stop.dispose();
    if (error instanceof PortInUseError || error instanceof PortNotPermittedError) {
      throw new CliError(
        `port ${error.port} (${CONSOLE_SERVICE}) cannot be used (${error instanceof PortInUseError ? 'in use' : 'needs privileges'}): choose another with --port <n>`,
        { cause: error },
      );
    }
    throw error;
  }
  terminal.info(`docflow console · ${server.url} · ${connection.description} · Ctrl-C stops`);
  if (connection.kind === 'stack') {
    terminal.info(
      `Uploads from the page need the stack's uploads bucket to allow this origin: deploy with -c 'docflow:uploadCorsOrigins=${new URL(server.url).origin}'.`,
    );
  }
  const signal = await stop.signal;
  terminal.info(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the console…`);
  await server.stop();
  return EXIT.ok;
};
