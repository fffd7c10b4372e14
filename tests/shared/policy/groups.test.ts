import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { loadConfig } from '../../../shared/config';
import { KeepAliveHttpClient } from '../../../shared/http';
import { GraphGroupMembership, GroupCheckError } from '../../../shared/policy';
import { ManualClock } from '../../../shared/runtime';
import { TEST_ENV } from '../../helpers/env';
import { type LoopbackServer, startLoopbackServer } from '../../helpers/servers';

const GROUP = 'aaaaaaaa-0000-4000-8000-0000000000c1';
const MEMBER = 'aaaaaaaa-0000-4000-8000-00000000a11c';
const UNKNOWN = 'aaaaaaaa-0000-4000-8000-000000000404';
const BROKEN = 'aaaaaaaa-0000-4000-8000-000000000500';

describe('GraphGroupMembership against a loopback Graph', () => {
  let graph: LoopbackServer;
  let calls: { url: string; authorization: string }[] = [];
  const settings = loadConfig(TEST_ENV);
  if (!settings.ok) throw new Error('test configuration incomplete');
  const http = new KeepAliveHttpClient(settings.config.http);
  const scopes: string[] = [];
  const credential = {
    getToken: (scope: string | string[]) => {
      scopes.push(String(scope));
      return Promise.resolve({ token: 'app-token', expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };

  before(async () => {
    graph = await startLoopbackServer((req, res) => {
      calls.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '' });
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.includes(UNKNOWN)) return void res.writeHead(404).end('{"error":{"code":"Request_ResourceNotFound"}}');
      if (req.url?.includes(BROKEN)) return void res.writeHead(500).end('{}');
      res.end(JSON.stringify({ value: req.url?.includes(MEMBER) ? [GROUP.toUpperCase()] : [] }));
    });
  });
  after(() => graph.close());

  it('asks checkMemberGroups with the app token, and caches the answer for a few minutes', async () => {
    calls = [];
    const clock = new ManualClock(0);
    const groups = new GraphGroupMembership({ credential, http, baseUrl: graph.url, clock, cacheTtlMs: 300_000 });
    assert.equal(await groups.isMemberOfAny(MEMBER, [GROUP]), true);
    assert.equal(await groups.isMemberOfAny(MEMBER, [GROUP]), true);
    assert.deepEqual(calls, [{ url: `/v1.0/users/${MEMBER}/checkMemberGroups`, authorization: 'Bearer app-token' }]);
    assert.equal(scopes.at(-1), `${graph.url}/.default`);
    clock.advance(300_001);
    assert.equal(await groups.isMemberOfAny(MEMBER, [GROUP]), true);
    assert.equal(calls.length, 2, 'asked again once the cached answer expired');
  });

  it('reads a user Graph does not know as in no group, and a failure as an error (the gate fails closed)', async () => {
    const groups = new GraphGroupMembership({ credential, http, baseUrl: graph.url });
    assert.equal(await groups.isMemberOfAny(UNKNOWN, [GROUP]), false);
    await assert.rejects(
      groups.isMemberOfAny(BROKEN, [GROUP]),
      (error: unknown) => error instanceof GroupCheckError && error.status === 500,
    );
    const unreachable = new GraphGroupMembership({ credential, http, baseUrl: 'http://127.0.0.1:9' });
    await assert.rejects(
      unreachable.isMemberOfAny(MEMBER, [GROUP]),
      (error: unknown) => error instanceof GroupCheckError && error.code === 'graph_unreachable',
    );
    const noToken = new GraphGroupMembership({
      credential: { getToken: () => Promise.reject(new Error('no identity')) },
      http,
      baseUrl: graph.url,
    });
    await assert.rejects(
      noToken.isMemberOfAny(MEMBER, [GROUP]),
      (error: unknown) => error instanceof GroupCheckError && error.code === 'graph_token',
    );
  });
});
