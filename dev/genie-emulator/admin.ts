import type { IncomingMessage } from 'node:http';

import { ApiError, invalid } from './api-error';
import type { Fault, ScriptedAnswer } from './types';
import { parseFault, parseScriptEntry, ScenarioError } from './validate';
import { errorReply, internalReply, jsonBody, ok, readBody, type Reply } from './wire';

/** The admin API's prefix: unauthenticated, loopback only, for other processes (the dev host, benchmarks). */
const ADMIN = '/_emulator';

export const isAdminPath = (pathname: string): boolean => pathname === ADMIN || pathname.startsWith(`${ADMIN}/`);

/** What the admin API drives: the emulator's own in-process controls. */
export interface AdminControls {
  info(): unknown;
  script(match: string | RegExp, answer: ScriptedAnswer): void;
  fault(fault: Fault): void;
  /** The GET /_emulator/stats document. */
  report(): unknown;
  reset(): void;
}

/** GET /_emulator, POST /_emulator/scripts, POST /_emulator/faults, GET /_emulator/stats, POST /_emulator/reset. */
export async function adminReply(req: IncomingMessage, url: URL, controls: AdminControls): Promise<Reply> {
  const address = req.socket.remoteAddress ?? '';
  if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address))
    return { status: 403, json: { error_code: 'PERMISSION_DENIED', message: 'loopback only' } };
  const body = (await readBody(req)) ?? Buffer.alloc(0);
  const key = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
  try {
    switch (key) {
      case `GET ${ADMIN}`:
        return ok(controls.info());
      case `POST ${ADMIN}/scripts`: {
        const entry = parseScriptEntry(jsonBody(body));
        controls.script(entry.match, entry.answer);
        return ok({});
      }
      case `POST ${ADMIN}/faults`:
        controls.fault(parseFault(jsonBody(body)));
        return ok({});
      case `GET ${ADMIN}/stats`:
        return ok(controls.report());
      case `POST ${ADMIN}/reset`:
        controls.reset();
        return ok({});
      default:
        return { status: 404, json: { error_code: 'ENDPOINT_NOT_FOUND', message: `No emulator admin API for '${key}'` } };
    }
  } catch (error: unknown) {
    if (error instanceof ApiError) return errorReply(error);
    if (error instanceof ScenarioError) return errorReply(invalid(error.message));
    return internalReply(error);
  }
}
