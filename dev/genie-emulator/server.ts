import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import { adminReply, isAdminPath } from './admin';
import { invalid } from './api-error';
import { TokenAuth } from './auth';
import { ConnectionStats } from './connections';
import { ConversationStore } from './conversations';
import { DEMO_QUESTIONS, DEMO_SPACE, DEMO_SPACE_ID, demoAnswers, fallbackAnswer, normalizeDemoQuestion } from './demo';
import { DEMO_OPS_QUESTIONS, DEMO_OPS_SPACE, demoOpsAnswers } from './demo-ops';
import { DEFAULT_CHUNK_ROWS, DEFAULT_LINK_TTL_MS, DownloadStore } from './downloads';
import { FaultQueue, faultReply, Stalls } from './faults';
import { QuestionRateLimit } from './rate-limit';
import { GenieRouter, type SpaceInfo } from './routes';
import { exactly, matching, ScriptBook } from './scenarios';
import {
  type EmulatedSpace,
  type EmulatorStats,
  ENDPOINT_NAMES,
  type Fault,
  type GenieEmulator,
  type GenieEmulatorOptions,
  type ScriptedAnswer,
} from './types';
import { parseFault, parseScriptedAnswer } from './validate';
import { acceptsGzip, type EndpointOrOther, errorReply, GZIP_MIN_BYTES, internalReply, MAX_BODY_BYTES, readBody, type Reply } from './wire';

const gzip = promisify(gzipCallback);

export const DEFAULT_EMULATOR_TOKEN = 'emulator-token';

function emptyRequests(): Record<EndpointOrOther, number> {
  const requests = { other: 0 } as Record<EndpointOrOther, number>;
  for (const name of ENDPOINT_NAMES) requests[name] = 0;
  return requests;
}

function validateOptions(options: GenieEmulatorOptions): void {
  const problems: string[] = [];
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port < 65_536)) problems.push('port');
  if (options.timeScale !== undefined && !(Number.isFinite(options.timeScale) && options.timeScale >= 0)) problems.push('timeScale');
  if (options.rateLimitPerMinute !== undefined && !(Number.isInteger(options.rateLimitPerMinute) && options.rateLimitPerMinute >= 1)) {
    problems.push('rateLimitPerMinute');
  }
  if (options.downloadLinkTtlMs !== undefined && !(Number.isFinite(options.downloadLinkTtlMs) && options.downloadLinkTtlMs > 0)) {
    problems.push('downloadLinkTtlMs');
  }
  if (options.downloadChunkRows !== undefined && !(Number.isInteger(options.downloadChunkRows) && options.downloadChunkRows >= 1)) {
    problems.push('downloadChunkRows');
  }
  if (options.spaceId !== undefined && !/^[^/\s]+$/.test(options.spaceId)) problems.push('spaceId');
  if (options.moreSpaces?.some((s) => !/^[^/\s]+$/.test(s.spaceId) || s.spaceId === (options.spaceId ?? DEMO_SPACE_ID)))
    problems.push('moreSpaces');
  if (options.tokens?.some((t) => !/^\S+$/.test(t))) problems.push('tokens');
  if (
    options.oauthClients?.some((c) => !c.clientId || !c.clientSecret || (c.expiresInSeconds !== undefined && !(c.expiresInSeconds > 0)))
  ) {
    problems.push('oauthClients');
  }
  if (problems.length) throw new RangeError(`invalid Genie emulator option(s): ${problems.join(', ')}`);
}

/** The spaces served by id, the first one first: the demo sales space (or a plain one) and `more`. */
function spacesServed(spaceId: string, more: readonly EmulatedSpace[], demo: boolean): Map<string, SpaceInfo> {
  const first: SpaceInfo = demo
    ? DEMO_SPACE
    : {
        title: 'Genie emulator space',
        description: 'A Genie space served by the local Genie emulator.',
        warehouseId: DEMO_SPACE.warehouseId,
      };
  const spaces = new Map<string, SpaceInfo>([[spaceId, first]]);
  for (const space of more)
    spaces.set(space.spaceId, { title: space.title, description: space.description, warehouseId: DEMO_SPACE.warehouseId });
  return spaces;
}

/** A space's demo questions, matched leniently; `labels` are the ones the fallback answer lists. */
function demoBook(answers: [string, ScriptedAnswer][], labels: readonly string[]): ScriptBook {
  const book = new ScriptBook();
  for (const [question, answer] of answers) {
    const expected = normalizeDemoQuestion(question);
    const label = labels.includes(question) ? question : undefined;
    book.add((content) => normalizeDemoQuestion(content) === expected, answer, { demo: true, ...(label !== undefined ? { label } : {}) });
  }
  return book;
}

function destroyWithReset(req: IncomingMessage): void {
  // RST rather than FIN: the client sees ECONNRESET, as when a proxy drops a connection.
  if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
  else req.socket.destroy();
}

function writeJson(res: ServerResponse, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/**
 * Starts a fake Databricks Genie Conversation API on 127.0.0.1 (see docs genie-api.md): the
 * documented endpoints and shapes, status progression over the emulator clock, bearer and OAuth
 * M2M auth, gzip, an optional workspace rate limit, scripted answers and HTTP faults, and an
 * unauthenticated admin API under /_emulator/ for other processes. This file wires the parts
 * together and owns the wire: routes.ts (Genie endpoints), auth.ts, faults.ts, rate-limit.ts,
 * admin.ts, connections.ts (connection and byte accounting).
 */
export async function startGenieEmulator(options: GenieEmulatorOptions = {}): Promise<GenieEmulator> {
  validateOptions(options);
  const now = options.now ?? Date.now;
  const spaceId = options.spaceId ?? DEMO_SPACE_ID;
  const staticTokens = new Set(options.tokens ?? [DEFAULT_EMULATOR_TOKEN]);
  const demo = options.demo ?? true;
  const gzipEnabled = options.gzip ?? true;

  const spaces = spacesServed(spaceId, options.moreSpaces ?? (demo ? [DEMO_OPS_SPACE] : []), demo);
  // Each space's demo data in a book of its own; scripts (tests, benchmarks) answer in every space and win.
  const scripts = new ScriptBook();
  const demoBooks = new Map<string, { book: ScriptBook; dataSet: string }>();
  if (demo) {
    demoBooks.set(spaceId, { book: demoBook(demoAnswers(now()), DEMO_QUESTIONS), dataSet: 'sales' });
    for (const space of options.moreSpaces ?? [DEMO_OPS_SPACE]) {
      if (space.demo === 'ops')
        demoBooks.set(space.spaceId, { book: demoBook(demoOpsAnswers(), DEMO_OPS_QUESTIONS), dataSet: 'operations' });
    }
  }
  const answerFor = (content: string, space: string): ScriptedAnswer => {
    const demoSet = demoBooks.get(space);
    const found = scripts.find(content) ?? demoSet?.book.find(content);
    return found ?? fallbackAnswer([...(demoSet?.book.labels() ?? []), ...scripts.labels()], demo, demoSet?.dataSet);
  };
  const store = new ConversationStore(spaceId, options.timeScale ?? 1, now, answerFor);
  const auth = new TokenAuth(staticTokens, options.oauthClients ?? [], now, options.users ?? []);
  const rateLimit = new QuestionRateLimit(options.rateLimitPerMinute, now);
  const downloads = new DownloadStore({
    now,
    timeScale: options.timeScale ?? 1,
    linkTtlMs: options.downloadLinkTtlMs ?? DEFAULT_LINK_TTL_MS,
    chunkRows: options.downloadChunkRows ?? DEFAULT_CHUNK_ROWS,
  });
  const router = new GenieRouter({ spaces, store, rateLimit, auth, downloads });
  const faults = new FaultQueue();
  const stalls = new Stalls();
  const wire = new ConnectionStats();
  let requests = emptyRequests();
  let responses: Record<string, number> = {};
  let closed = false;

  async function send(req: IncomingMessage, res: ServerResponse, endpoint: EndpointOrOther, reply: Reply): Promise<void> {
    const isText = reply.text !== undefined;
    let body = Buffer.from(isText ? (reply.text ?? '') : JSON.stringify(reply.json ?? {}), 'utf8');
    const headers: Record<string, string | number> = {
      'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json',
      'x-request-id': randomUUID(),
      ...reply.headers,
    };
    if (gzipEnabled) {
      headers.Vary = 'Accept-Encoding';
      if (body.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
        body = await gzip(body);
        headers['Content-Encoding'] = 'gzip';
      }
    }
    headers['Content-Length'] = body.length;
    if (res.destroyed || req.socket.destroyed) return; // the client gave up (e.g. during a stall): nothing reaches the wire
    const key = `${endpoint} ${reply.status}`;
    responses[key] = (responses[key] ?? 0) + 1;
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  /** Stalls, resets or answers as the fault says; true when the request has been dealt with. */
  async function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, endpoint: EndpointOrOther): Promise<boolean> {
    if (fault.stallMs) await stalls.stall(fault.stallMs);
    if (closed) return true;
    if (fault.reset) {
      destroyWithReset(req);
      return true;
    }
    if (fault.status !== undefined) {
      await send(req, res, endpoint, faultReply({ ...fault, status: fault.status }));
      return true;
    }
    return false;
  }

  async function serveGenie(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    wire.genieRequest(req.socket);
    const matched = router.match((req.method ?? 'GET').toUpperCase(), url.pathname);
    const endpoint = matched?.route.endpoint ?? 'other';
    requests[endpoint]++;
    const body = await readBody(req);
    const fault = endpoint === 'other' ? undefined : faults.take(endpoint);
    if (fault && !fault.afterProcessing && (await applyFault(fault, req, res, endpoint))) return;
    const reply =
      body === undefined
        ? errorReply(invalid(`Request body larger than ${MAX_BODY_BYTES} bytes.`))
        : router.handle(matched, { req, url, body });
    if (fault?.afterProcessing && (await applyFault(fault, req, res, endpoint))) return;
    if (!closed) await send(req, res, endpoint, reply);
  }

  function stats(): EmulatorStats {
    return {
      requests: { ...requests },
      responses: { ...responses },
      connections: wire.connections,
      bytesSent: wire.bytesSent,
      conversationsCreated: store.created,
      conversationsDeleted: [...store.deleted],
      activeConversations: store.active,
      tokensIssued: auth.issuedCount,
      downloadFiles: { served: downloads.served, refused: downloads.refused },
    };
  }

  function script(match: string | RegExp, answer: ScriptedAnswer): void {
    const checked = parseScriptedAnswer(answer);
    if (typeof match === 'string') scripts.add(exactly(match), checked, { label: match.trim() });
    else scripts.add(matching(match), checked);
  }

  const fault = (value: Fault): void => faults.add(parseFault(value));

  function reset(): void {
    scripts.clearScripts();
    faults.clear();
    rateLimit.clear();
    requests = emptyRequests();
    responses = {};
    auth.resetCount();
    store.clear();
    downloads.clear();
    wire.reset();
  }

  async function serveAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    wire.adminRequest(req.socket, res);
    const reply = await adminReply(req, url, {
      info: () => ({
        url: emulator.url,
        filesUrl: emulator.filesUrl,
        spaceId,
        spaceIds: [...spaces.keys()],
        token: emulator.token,
        demoQuestions: demo ? DEMO_QUESTIONS : [],
      }),
      script,
      fault,
      report: () => ({ stats: stats(), messages: store.messages(), feedback: store.feedback() }),
      reset,
    });
    writeJson(res, reply.status, reply.json ?? {});
  }

  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      writeJson(res, 400, { error_code: 'BAD_REQUEST', message: 'Malformed request target.' });
      return;
    }
    void (isAdminPath(url.pathname) ? serveAdmin(req, res, url) : serveGenie(req, res, url)).catch((error: unknown) => {
      // Reading the body failed (the client went away) or a bug: never let it take the process down.
      if (!res.headersSent && !res.destroyed) writeJson(res, 500, internalReply(error).json ?? {});
      else res.destroy();
    });
  });
  // Longer than any client pool's idle timeout, so pooled sockets are reused instead of racing our close.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket) => wire.accept(socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  // Presigned result files live elsewhere, as in cloud storage: another origin, no bearer token.
  const files: Server = createServer((req, res) => downloads.serveFile(req, res));
  await new Promise<void>((resolve, reject) => {
    files.once('error', reject);
    files.listen(0, '127.0.0.1', () => {
      files.off('error', reject);
      resolve();
    });
  });
  downloads.filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

  const emulator: GenieEmulator = {
    url: `http://127.0.0.1:${port}`,
    spaceId,
    spaceIds: [...spaces.keys()],
    token: [...staticTokens][0] ?? '',
    filesUrl: downloads.filesOrigin,
    script,
    revokeToken: (token) => auth.revoke(token),
    fault,
    stats,
    messages: () => store.messages(),
    feedback: () => store.feedback(),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        stalls.releaseAll();
        files.close();
        files.closeAllConnections();
        server.close(() => resolve());
        server.closeAllConnections();
        wire.destroyAll();
      }),
  };
  return emulator;
}
