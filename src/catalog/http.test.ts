import { describe, expect, it } from 'vitest';
import { startProxy, startServer } from '../../test/helpers/http-server.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { createHttpClient, type HttpGetOptions } from './http.js';

const OPTIONS: HttpGetOptions = { timeoutMs: 2000, retries: 2, maxBytes: 1 << 20 };

async function client(env: Record<string, string> = {}) {
  const http = await createHttpClient(createContext({ root: '/', env }), 10);
  return http;
}

async function failure(run: () => Promise<unknown>): Promise<CapstanError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CapstanError) return error;
    throw error;
  }
  throw new Error('expected a CapstanError');
}

describe('http client', () => {
  it('downloads, reports ETag and Last-Modified, and sends conditional headers', async () => {
    const server = await startServer((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 24 Nov 2026 10:00:00 GMT' }).end('hello');
    });
    const http = await client();
    const first = await http.get(`${server.url}/f.xml.gz`, OPTIONS);
    expect(first).toMatchObject({ notModified: false, etag: '"v1"', lastModified: 'Tue, 24 Nov 2026 10:00:00 GMT' });
    if (!first.notModified) expect(Buffer.from(first.body).toString()).toBe('hello');
    const second = await http.get(`${server.url}/f.xml.gz`, { ...OPTIONS, etag: '"v1"', lastModified: 'x' });
    expect(second.notModified).toBe(true);
    expect(server.requests[1]?.headers['if-modified-since']).toBe('x');
    await http.close();
  });

  it('retries transient failures and then succeeds', async () => {
    let count = 0;
    const server = await startServer((_req, res) => {
      count++;
      if (count < 3) res.writeHead(503).end();
      else res.writeHead(200).end('ok');
    });
    const http = await client();
    const result = await http.get(`${server.url}/x`, OPTIONS);
    expect(result.notModified).toBe(false);
    expect(server.requests).toHaveLength(3);
    await http.close();
  });

  it('does not retry a 404 and says what to check', async () => {
    const server = await startServer((_req, res) => res.writeHead(404).end());
    const http = await client();
    const error = await failure(() => http.get(`${server.url}/missing`, OPTIONS));
    expect(error).toMatchObject({ code: 'download-failed', hint: 'check the remote\u2019s MetadataURI' });
    expect(server.requests).toHaveLength(1);
    await http.close();
  });

  it('times out a silent server, retrying a bounded number of times', async () => {
    const server = await startServer(() => {
      /* never answers */
    });
    const http = await client();
    const error = await failure(() => http.get(`${server.url}/slow`, { ...OPTIONS, timeoutMs: 150, retries: 1 }));
    expect(error.code).toBe('network-unreachable');
    expect(error.message).toMatch(/timed out after 2 attempts/);
    expect(server.requests).toHaveLength(2);
    await http.close();
  });

  it('turns a refused connection into network-unreachable', async () => {
    const server = await startServer((_req, res) => res.end());
    const port = new URL(server.url).port;
    const http = await client();
    // a port nothing listens on: find one by closing a fresh server would race, so use port 1 on loopback
    const error = await failure(() => http.get('http://127.0.0.1:1/x', { ...OPTIONS, retries: 0 }));
    expect(error.code).toBe('network-unreachable');
    expect(port).not.toBe('1');
    await http.close();
  });

  it('enforces the size limit while streaming', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
    });
    const http = await client();
    const error = await failure(() => http.get(`${server.url}/big`, { ...OPTIONS, maxBytes: 1000 }));
    expect(error).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/more than 1000 bytes/) });
    await http.close();
  });

  it('sends basic authentication and never shows the credentials', async () => {
    const server = await startServer((_req, res) => res.writeHead(401).end());
    const http = await client();
    const url = server.url.replace('http://', 'http://user:s3cret@');
    const error = await failure(() =>
      http.get(`${url}/x`, { ...OPTIONS, auth: { username: 'user', password: 's3cret' } }),
    );
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('user:s3cret').toString('base64')}`);
    expect(error.message).not.toContain('s3cret');
    expect(error.hint).toMatch(/Username and Password/);
    await http.close();
  });

  it('goes through HTTP_PROXY and honours NO_PROXY', async () => {
    const server = await startServer((_req, res) => res.end('direct'));
    const proxy = await startProxy();
    const proxied = await client({ HTTP_PROXY: proxy.url });
    await proxied.get(`${server.url}/via`, OPTIONS);
    // undici tunnels through the proxy with CONNECT, as it does for HTTPS
    expect(proxy.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`CONNECT ${new URL(server.url).host}`]);
    expect(server.requests.map((r) => r.url)).toEqual(['/via']);
    await proxied.close();

    const bypass = await client({ http_proxy: proxy.url, no_proxy: '127.0.0.1' });
    await bypass.get(`${server.url}/direct`, OPTIONS);
    expect(proxy.requests).toHaveLength(1);
    await bypass.close();
  });
});
