import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { useTempDir } from '@rdv/core/testing';

/** A real HTTP server on a unix socket in a temp dir, closed after the file. */
export async function useSocketServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ socketPath: string; server: Server }> {
  const socketPath = join(useTempDir('file', 'rdv-client-'), 'api.sock');
  const server = createServer(handler);
  await new Promise<void>((resolveListen) => server.listen(socketPath, resolveListen));
  afterAll(
    () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  );
  return { socketPath, server };
}
