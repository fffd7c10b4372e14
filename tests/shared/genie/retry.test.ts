import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from '../../../shared/genie';
import { isRetryableTransportError } from '../../../shared/genie/retry';
import { HttpNetworkError, HttpTimeoutError } from '../../../shared/http';

describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now), 7000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('backs off exponentially with jitter, capped, and honours Retry-After', () => {
    const low = () => 0;
    const high = () => 1;
    assert.equal(retryDelay(1, DEFAULT_RETRY_POLICY, low), 250);
    assert.equal(retryDelay(1, DEFAULT_RETRY_POLICY, high), 500);
    assert.equal(retryDelay(3, DEFAULT_RETRY_POLICY, low), 1000);
    assert.equal(retryDelay(3, DEFAULT_RETRY_POLICY, high), 2000);
    assert.ok(retryDelay(20, DEFAULT_RETRY_POLICY, high) <= DEFAULT_RETRY_POLICY.maxDelayMs);
    assert.equal(retryDelay(1, DEFAULT_RETRY_POLICY, low, 4000), 4000);
    assert.equal(retryDelay(1, DEFAULT_RETRY_POLICY, high, 4000), 4250, 'at most 250 ms of spread');
  });

  it('retries a POST only when it provably was not processed', () => {
    const reset = (reused: boolean) => new HttpNetworkError('ECONNRESET', 'POST', '/x', reused);
    assert.equal(isRetryableTransportError(reset(true), false), true, 'idle pooled socket closed by the server');
    assert.equal(isRetryableTransportError(reset(false), false), false, 'fresh socket reset mid-request: unknown fate');
    assert.equal(isRetryableTransportError(new HttpNetworkError('ECONNREFUSED', 'POST', '/x', false), false), true);
    assert.equal(isRetryableTransportError(new HttpTimeoutError('connect', 5000, 'POST', '/x'), false), true);
    assert.equal(isRetryableTransportError(new HttpTimeoutError('read', 10000, 'POST', '/x'), false), false);
    assert.equal(isRetryableTransportError(new HttpTimeoutError('read', 10000, 'GET', '/x'), true), true);
    assert.equal(isRetryableTransportError(new Error('bug'), true), false, 'unknown errors are never retried');
  });
});
