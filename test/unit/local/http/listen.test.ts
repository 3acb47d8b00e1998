import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree, listenOn, PortInUseError } from '../../../../local/http/listen';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server of this test listening on a free port of 127.0.0.1; returns the port. */
const occupy = async (): Promise<number> => {
  const server = createServer();
  servers.push(server);
  await listenOn(server, { port: 0, host: '127.0.0.1', service: 'a test server' });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

const canListen = async (port: number): Promise<boolean> => {
  const server = createServer();
  try {
    await listenOn(server, { port, host: '127.0.0.1', service: 'a probe' });
    await new Promise((resolve) => server.close(resolve));
    return true;
  } catch {
    return false;
  }
};

describe('listenOn', () => {
  it('rejects a taken port with a PortInUseError naming the port and the service', async () => {
    // Prepare
    const port = await occupy();

    // Act
    const error = await listenOn(createServer(), {
      port,
      host: '127.0.0.1',
      service: 'the AWS endpoint',
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PortInUseError);
    expect(error).toMatchObject({
      name: 'PortInUseError',
      port,
      host: '127.0.0.1',
      service: 'the AWS endpoint',
      message: `port ${port} on 127.0.0.1 (the AWS endpoint) is in use`,
    });
  });
});

describe('assertPortsFree', () => {
  it('passes for free ports and port 0, and leaves them free', async () => {
    // Prepare
    const port = await occupy();
    await new Promise((resolve) => servers.splice(0)[0]?.close(resolve));

    // Act
    await assertPortsFree([
      { port, host: '127.0.0.1', service: 'one' },
      { port: 0, host: '127.0.0.1', service: 'two' },
      { port: 0, host: '127.0.0.1', service: 'three' },
    ]);

    // Assess
    expect(await canListen(port)).toBe(true);
  });

  it('names the first service whose port is taken, and releases the ports it checked before', async () => {
    // Prepare
    const free = await occupy();
    await new Promise((resolve) => servers.splice(0)[0]?.close(resolve));
    const taken = await occupy();

    // Act
    const error = await assertPortsFree([
      { port: free, host: '127.0.0.1', service: 'the AWS endpoint' },
      { port: taken, host: '127.0.0.1', service: 'the query API' },
    ]).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'PortInUseError', port: taken, service: 'the query API' });
    expect(await canListen(free)).toBe(true);
  });

  it('fails when two services are given one port', async () => {
    // Prepare
    const port = await occupy();
    await new Promise((resolve) => servers.splice(0)[0]?.close(resolve));

    // Act
    const error = await assertPortsFree([
      { port, host: '127.0.0.1', service: 'the AWS endpoint' },
      { port, host: '127.0.0.1', service: 'the query API' },
    ]).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'PortInUseError', port, service: 'the query API' });
  });
});
