import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stable public origin in front of an api that can be swapped (the reverse proxy of a deployment while the api is
 * restarted with a new configuration): WeChat keeps notifying the notify_url an order was placed with.
 */
export interface FrontDoor {
  url: string;
  /** Where requests go from now on (`http://127.0.0.1:<port>`). */
  target(url: string): void;
  close(): Promise<void>;
}

export async function startFrontDoor(): Promise<FrontDoor> {
  let upstream: URL | undefined;
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    if (!upstream) {
      res.writeHead(502).end();
      return;
    }
    const proxied = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on('error', () => res.writeHead(502).end());
    req.pipe(proxied);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    target(url) {
      upstream = new URL(url);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
