// Loopback HTTP server for the catalog benchmark: 127.0.0.1 only, files served from memory, and a
// log of every request (path, user agent, status) so each measured refresh can be checked to have
// really downloaded the metadata.

import http from 'node:http';

/**
 * Starts a server on 127.0.0.1 with an ephemeral port. `files` maps a URL path ("/firmware.xml.zst")
 * to a Buffer; `set(path, buffer)` replaces a file between runs. Resolves to
 * { port, baseUrl, set, requests, close }.
 */
export function startServer(files) {
  const table = new Map(Object.entries(files));
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = req.method === 'GET' || req.method === 'HEAD' ? table.get(url.pathname) : undefined;
    const status = body === undefined ? 404 : 200;
    requests.push({ path: url.pathname, method: req.method, agent: String(req.headers['user-agent'] ?? ''), status });
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        set: (p, buffer) => table.set(p, buffer),
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}
