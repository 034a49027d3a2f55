import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';

export interface HttpGetOptions {
  /** Whole-request limit, including retries' individual attempts (ms per attempt). */
  timeoutMs: number;
  /** Extra attempts after the first for transient failures (network errors, timeouts, 5xx, 429). */
  retries: number;
  maxBytes: number;
  etag?: string;
  lastModified?: string;
  auth?: { username: string; password: string };
  /** Called with bytes received so far and the total when known (for a TTY progress line). */
  onProgress?: (received: number, total: number | undefined) => void;
}

export type HttpResult =
  | { notModified: true; url: string }
  | { notModified: false; url: string; body: Uint8Array; etag?: string; lastModified?: string };

export interface HttpClient {
  get(url: string, options: HttpGetOptions): Promise<HttpResult>;
  close(): Promise<void>;
}

const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * GET with undici's EnvHttpProxyAgent: HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case) come from
 * the Context's environment. Bounded retries with backoff on transient failures only; conditional
 * requests with ETag / Last-Modified; a size cap enforced while streaming. Loaded lazily: only
 * `refresh` pays for undici.
 */
export async function createHttpClient(ctx: Context, backoffMs = 500): Promise<HttpClient> {
  const { EnvHttpProxyAgent, fetch } = await import('undici');
  const env = ctx.env;
  const pick = (name: string): string | undefined => env[name] ?? env[name.toLowerCase()];
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY');
  const noProxy = pick('NO_PROXY');
  const agent = new EnvHttpProxyAgent({
    ...(httpProxy === undefined ? {} : { httpProxy }),
    ...(httpsProxy === undefined ? {} : { httpsProxy }),
    ...(noProxy === undefined ? {} : { noProxy }),
  });
  const scrub = (url: string): string => url.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1');

  async function attempt(url: string, options: HttpGetOptions): Promise<HttpResult> {
    const headers: Record<string, string> = { 'user-agent': 'capstan', accept: '*/*' };
    if (options.etag !== undefined) headers['if-none-match'] = options.etag;
    if (options.lastModified !== undefined) headers['if-modified-since'] = options.lastModified;
    // fetch refuses URLs with user-info: move it (or the remote's Username/Password) into the header.
    const parsed = new URL(url);
    const auth =
      options.auth ??
      (parsed.username === ''
        ? undefined
        : { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) });
    parsed.username = '';
    parsed.password = '';
    if (auth !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    const response = await fetch(parsed, {
      headers,
      dispatcher: agent,
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status === 304) {
      await response.body?.cancel();
      return { notModified: true, url };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status, response.statusText);
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      await response.body?.cancel();
      throw new CapstanError(
        'download-failed',
        `downloading ${scrub(url)}: ${declared} bytes is over the ${options.maxBytes}-byte limit`,
        {
          hint: 'check that the remote\u2019s MetadataURI points at firmware metadata',
        },
      );
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    const total = Number.isFinite(declared) ? declared : undefined;
    if (response.body !== null) {
      for await (const chunk of response.body) {
        received += chunk.byteLength;
        if (received > options.maxBytes) {
          throw new CapstanError('download-failed', `downloading ${scrub(url)}: more than ${options.maxBytes} bytes`, {
            hint: 'check that the remote\u2019s MetadataURI points at firmware metadata',
          });
        }
        chunks.push(chunk);
        options.onProgress?.(received, total);
      }
    }
    const etag = response.headers.get('etag') ?? undefined;
    const lastModified = response.headers.get('last-modified') ?? undefined;
    return {
      notModified: false,
      url,
      body: Buffer.concat(chunks),
      ...(etag === undefined ? {} : { etag }),
      ...(lastModified === undefined ? {} : { lastModified }),
    };
  }

  return {
    async get(url, options) {
      let lastError: unknown;
      for (let index = 0; index <= options.retries; index++) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (index - 1)));
        try {
          return await attempt(url, options);
        } catch (error) {
          lastError = error;
          if (error instanceof CapstanError) throw error;
          const transient = error instanceof HttpStatusError ? TRANSIENT.has(error.status) : true;
          ctx.log.debug('download attempt failed', { url: scrub(url), attempt: index + 1, error: describe(error) });
          if (!transient) break;
        }
      }
      throw translate(lastError, scrub(url), options);
    },
    close: () => agent.close(),
  };
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    statusText: string,
  ) {
    super(`HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof HttpStatusError) return error.message;
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

function translate(error: unknown, url: string, options: HttpGetOptions): CapstanError {
  const attempts = `${options.retries + 1} attempt${options.retries === 0 ? '' : 's'}`;
  if (error instanceof HttpStatusError) {
    return new CapstanError('download-failed', `downloading ${url}: ${error.message}`, {
      hint:
        error.status === 401 || error.status === 403
          ? 'check the remote\u2019s Username and Password'
          : error.status === 404
            ? 'check the remote\u2019s MetadataURI'
            : 'the server failed; try again later',
      details: { status: error.status },
    });
  }
  const reason = describe(error);
  return new CapstanError('network-unreachable', `downloading ${url}: ${reason} after ${attempts}`, {
    hint:
      reason === 'timed out'
        ? 'the remote or proxy is slow or unreachable; check HTTPS_PROXY/NO_PROXY and try again'
        : 'check the network, DNS and the HTTPS_PROXY / NO_PROXY settings',
    cause: error,
  });
}
