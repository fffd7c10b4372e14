import { defaultErrorCode } from './api-error';
import type { Fault } from './types';
import type { EndpointOrOther, Reply } from './wire';

const FAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request (emulated fault).',
  401: 'Credential was not sent or was of an unsupported type for this API.',
  403: 'You do not have permission to access this Genie space (emulated fault).',
  404: 'The requested resource does not exist (emulated fault).',
  409: 'The resource was modified concurrently (emulated fault).',
  429: 'Too many requests. Please wait a moment and try again (emulated fault).',
  500: 'Internal error (emulated fault).',
  503: 'The service is temporarily unavailable. Please try again later (emulated fault).',
};

/** The reply a status fault answers with, in the shape the real endpoint (or the gateway before it) uses. */
export function faultReply(fault: Fault & { status: number }): Reply {
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
  const message = fault.message ?? FAULT_MESSAGES[fault.status] ?? `Emulated fault: HTTP ${fault.status}.`;
  // Gateways in front of the workspace answer 502/504 with a plain page, not the JSON error body.
  if ((fault.status === 502 || fault.status === 504) && fault.errorCode === undefined) {
    return { status: fault.status, headers, text: fault.message ?? (fault.status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out') };
  }
  if (fault.endpoint === 'token') {
    const code =
      fault.errorCode ?? (fault.status === 401 ? 'invalid_client' : fault.status < 500 ? 'invalid_request' : 'temporarily_unavailable');
    return { status: fault.status, headers, json: { error: code, error_description: message } };
  }
  return { status: fault.status, headers, json: { error_code: fault.errorCode ?? defaultErrorCode(fault.status), message } };
}

/** Faults waiting for their endpoint, each for its number of requests, first added first taken. */
export class FaultQueue {
  private pending: { fault: Fault; remaining: number }[] = [];

  /** `fault` must already be validated (parseFault). */
  add(fault: Fault): void {
    this.pending.push({ fault, remaining: fault.times ?? 1 });
  }

  take(endpoint: EndpointOrOther): Fault | undefined {
    const index = this.pending.findIndex((f) => f.fault.endpoint === endpoint && f.remaining > 0);
    const entry = this.pending[index];
    if (!entry) return undefined;
    entry.remaining--;
    if (entry.remaining === 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.pending = [];
  }
}

/** Stalled requests (faults with stallMs), each released by its timer or all at once when the emulator closes. */
export class Stalls {
  private readonly waiting = new Set<() => void>();

  stall(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  releaseAll(): void {
    for (const release of [...this.waiting]) release();
  }
}
