import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext, type LogHandler } from '@azure/functions';

import type { FunctionDefinition, HttpFunctionDefinition } from '../shared/hosting';
import { loadFunctionDefinitions } from './function-loader';

/** Same ceiling as the Functions host (100 MB); handlers enforce their own, smaller limits. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface DevHostOptions {
  /** @default 7071, like `func start` */
  readonly port?: number;
  /** The app to serve: a folder with package.json and host.json. @default deploy/ (what ships) */
  readonly appDir?: string;
  /** Where invocation logs go. @default console */
  readonly log?: (line: string) => void;
  /** Run timer functions on their schedule (every-N-minutes schedules; anything else every 5 min). @default false */
  readonly runTimers?: boolean;
}

export interface DevHost {
  readonly url: string;
  readonly port: number;
  readonly definitions: readonly FunctionDefinition[];
  close(): Promise<void>;
}

/** Builds the InvocationContext the Functions host would pass, logging through `log`. */
export function createInvocationContext(functionName: string, log: (line: string) => void): InvocationContext {
  const logHandler: LogHandler = (level, ...args) => {
    log(`[${functionName}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  };
  return new InvocationContext({ invocationId: randomUUID(), functionName, logHandler });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function writeResponse(res: ServerResponse, result: HttpResponseInit | HttpResponse | undefined): Promise<void> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const body = Buffer.from(await response.arrayBuffer());
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.setHeader('Content-Length', body.length);
  res.writeHead(response.status);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Serves the HTTP functions of the deployable app (deploy/) at `/api/<route>` on 127.0.0.1, calling their
 * exported handlers with a real HttpRequest and InvocationContext: what `func start` does, without Core Tools.
 * Function keys are not checked, as under `func start`.
 */
export async function startDevHost(options: DevHostOptions = {}): Promise<DevHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const definitions = await loadFunctionDefinitions(options.appDir);
  const routes = new Map<string, HttpFunctionDefinition>();
  for (const definition of definitions) {
    if (definition.kind === 'http') routes.set(`/api/${definition.route}`.toLowerCase(), definition);
  }

  const server: Server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      log(`[dev-host] error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error in the dev host' });
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const definition = routes.get(url.pathname.replace(/\/+$/, '').toLowerCase());
    const method = (req.method ?? 'GET').toUpperCase();
    // The Functions host answers 404 both for unknown routes and for methods a function does not accept.
    if (!definition || !definition.methods.includes(method as HttpFunctionDefinition['methods'][number])) {
      sendJson(res, 404, { error: `no function serves ${method} ${url.pathname}` });
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      sendJson(res, 413, { error: 'request body larger than 100 MB' });
      return;
    }
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: headersOf(req),
      query: Object.fromEntries(url.searchParams),
      params: {},
      ...(body.length ? { body: { bytes: body } } : {}),
    });
    const context = createInvocationContext(definition.name, log);
    let result: HttpResponseInit | HttpResponse | undefined;
    try {
      result = await definition.handler(request, context);
    } catch (error: unknown) {
      // The Functions host answers an unhandled exception with a bare 500; so do we, and log it.
      context.error(`unhandled: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      res.writeHead(500).end();
      return;
    }
    await writeResponse(res, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, '127.0.0.1', () => resolve());
  });
  const timers = options.runTimers ? startTimers(definitions, log) : [];
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    definitions,
    close: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearInterval);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Minutes between runs of an every-N-minutes NCRONTAB schedule (seconds field 0, minutes field with a step). */
export function everyMinutes(schedule: string): number {
  const match = /^0 \*\/(\d+) \* \* \* \*$/.exec(schedule.trim());
  return match ? Number(match[1]) : 5;
}

function startTimers(definitions: readonly FunctionDefinition[], log: (line: string) => void): NodeJS.Timeout[] {
  return definitions
    .filter((d) => d.kind === 'timer')
    .map((definition) => {
      const timer = setInterval(
        () => {
          const context = createInvocationContext(definition.name, log);
          Promise.resolve(
            definition.handler(
              { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
              context,
            ),
          ).catch((error: unknown) => {
            log(`[${definition.name}] error: ${error instanceof Error ? error.message : String(error)}`);
          });
        },
        everyMinutes(definition.schedule) * 60_000,
      );
      timer.unref();
      return timer;
    });
}
