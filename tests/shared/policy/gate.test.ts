import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { PolicySettings } from '../../../shared/config';
import { messagesFor } from '../../../shared/i18n';
import {
  type GateActivity,
  type GroupMembership,
  isLoopbackServiceUrl,
  PolicyGate,
  type RateWindow,
  tenantOf,
  UserRateLimiter,
} from '../../../shared/policy';
import { ManualClock } from '../../../shared/runtime';
import { MemoryRecordStore } from '../../../shared/state';

const EN = messagesFor('en-US');

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000000';
const ALICE = 'aaaaaaaa-0000-4000-8000-00000000a11c';
const BOB = 'aaaaaaaa-0000-4000-8000-000000000b0b';
const GROUP = 'aaaaaaaa-0000-4000-8000-0000000000c1';

function activity(overrides: Partial<GateActivity> & { text?: string } = {}): GateActivity & { text?: string } {
  return {
    type: 'message',
    channelId: 'msteams',
    from: { id: '29:alice', aadObjectId: ALICE },
    conversation: { tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text: 'how many orders?',
    ...overrides,
  };
}

function gate(settings: Partial<PolicySettings>, options: { groups?: GroupMembership; limit?: number } = {}) {
  const clock = new ManualClock(0);
  const groupCalls: string[] = [];
  const groups = options.groups && {
    isMemberOfAny: (user: string, ids: readonly string[]) => {
      groupCalls.push(user);
      return options.groups!.isMemberOfAny(user, ids);
    },
  };
  const policy = new PolicyGate<GateActivity & { text?: string }>({
    settings: { allowedChannels: ['msteams'], userQuestionsPerMinute: 10, ...settings },
    rate: new UserRateLimiter(new MemoryRecordStore<RateWindow>(100, clock), options.limit ?? 10, clock),
    isQuestion: (a) => a.type === 'message' && !!a.text && a.text !== 'help',
    defaultLocale: 'en-US',
    ...(groups ? { groups } : {}),
  });
  return { policy, groupCalls };
}

describe('PolicyGate', () => {
  it('lets everything through with the local-development defaults (msteams, no lists)', async () => {
    assert.deepEqual(await gate({}).policy.check(activity({ conversation: {}, channelData: undefined })), { allowed: true });
  });

  it('refuses channels not listed, whatever the activity type, without a reply', async () => {
    const { policy } = gate({});
    for (const type of ['message', 'invoke', 'conversationUpdate']) {
      assert.deepEqual(await policy.check(activity({ type, channelId: 'webchat' })), { allowed: false, reason: 'channel' });
    }
    assert.deepEqual(await gate({ allowedChannels: ['msteams', 'webchat'] }).policy.check(activity({ channelId: 'webchat' })), {
      allowed: true,
    });
  });

  it('refuses other tenants, activities naming none, and activities naming two', async () => {
    const { policy } = gate({ allowedTenantIds: [TENANT] });
    assert.deepEqual(await policy.check(activity()), { allowed: true });
    const other = 'bbbbbbbb-0000-4000-8000-000000000000';
    assert.equal(
      (await policy.check(activity({ conversation: { tenantId: other }, channelData: { tenant: { id: other } } }))).allowed,
      false,
    );
    assert.equal((await policy.check(activity({ conversation: {}, channelData: {} }))).allowed, false);
    assert.equal((await policy.check(activity({ conversation: { tenantId: other } }))).allowed, false);
    assert.equal(tenantOf(activity({ conversation: {}, channelData: { tenant: { id: TENANT.toUpperCase() } } })), TENANT);
  });

  it('admits listed users, asks about groups only for the others, and refuses the rest with a polite line', async () => {
    const { policy, groupCalls } = gate(
      { allowedUserIds: [ALICE], allowedGroupIds: [GROUP] },
      { groups: { isMemberOfAny: (user) => Promise.resolve(user === BOB) } },
    );
    assert.deepEqual(await policy.check(activity()), { allowed: true });
    assert.deepEqual(groupCalls, [], 'a listed user costs no Graph call');
    assert.deepEqual(await policy.check(activity({ from: { aadObjectId: BOB } })), { allowed: true });
    const carol = 'aaaaaaaa-0000-4000-8000-0000000ca201';
    assert.deepEqual(await policy.check(activity({ from: { aadObjectId: carol } })), {
      allowed: false,
      reason: 'group',
      reply: EN.text('refusal.notAllowed'),
    });
    assert.deepEqual(await policy.check(activity({ from: { id: '29:no-object-id' } })), {
      allowed: false,
      reason: 'user',
      reply: EN.text('refusal.notAllowed'),
    });
  });

  it('fails closed when the group check cannot be made', async () => {
    const { policy } = gate({ allowedGroupIds: [GROUP] }, { groups: { isMemberOfAny: () => Promise.reject(new Error('down')) } });
    const decision = await policy.check(activity());
    assert.equal(decision.allowed, false);
    assert.equal(!decision.allowed && decision.reason, 'group_check_failed');
    assert.equal(!decision.allowed && decision.reply, EN.text('refusal.membershipUnknown'));
  });

  it('counts questions only: commands, card actions and other activities are never rate limited', async () => {
    const { policy } = gate({}, { limit: 1 });
    assert.deepEqual(await policy.check(activity()), { allowed: true });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await policy.check(activity({ text: 'help' })), { allowed: true });
      assert.deepEqual(await policy.check(activity({ type: 'invoke' })), { allowed: true });
    }
    const refused = await policy.check(activity());
    assert.equal(!refused.allowed && refused.reason, 'rate');
    assert.equal(!refused.allowed && refused.reply, EN.text('refusal.tooMany', { seconds: 60 }));
  });
});

describe('isLoopbackServiceUrl', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost only', () => {
    for (const url of ['http://127.0.0.1:3978/', 'http://127.5.6.7', 'http://localhost:56150/_connector', 'http://[::1]:8080/'])
      assert.ok(isLoopbackServiceUrl(url), url);
    for (const url of [
      'https://smba.trafficmanager.net/emea/',
      'http://0.0.0.0:80',
      'http://127.0.0.1.evil.example/',
      'http://localhost.evil.example',
      'not a url',
      'http://10.0.0.1',
    ]) {
      assert.ok(!isLoopbackServiceUrl(url), url);
    }
  });
});
