import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../../shared/config';
import { TEST_ENV } from '../../helpers/env';

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000000';
const BOT = { MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'secret', MicrosoftAppTenantId: TENANT };

/** The test configuration with the policy settings at their defaults. */
const BASE_ENV = { ...TEST_ENV, USER_QUESTIONS_PER_MINUTE: undefined };

function problems(env: Record<string, string>): string[] {
  const result = loadConfig({ ...BASE_ENV, ...env });
  return result.ok ? [] : result.problems.map((p) => p.setting);
}

function policy(env: Record<string, string>) {
  const result = loadConfig({ ...BASE_ENV, ...env });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config.policy;
}

describe('policy settings', () => {
  it('defaults: msteams only, 10 questions a minute, no lists in local development', () => {
    assert.deepEqual(policy({}), { allowedChannels: ['msteams'], userQuestionsPerMinute: 10 });
  });

  it('defaults the tenant list to the bot tenant, and an explicit list wins', () => {
    assert.deepEqual(policy(BOT).allowedTenantIds, [TENANT]);
    const other = 'bbbbbbbb-0000-4000-8000-000000000000';
    assert.deepEqual(policy({ ...BOT, ALLOWED_TENANT_IDS: `${other.toUpperCase()}, ${TENANT}` }).allowedTenantIds, [other, TENANT]);
  });

  it('requires an explicit tenant list for a MultiTenant bot in Azure', () => {
    const multi = { ...BOT, MicrosoftAppType: 'MultiTenant', WEBSITE_SITE_NAME: 'app' };
    assert.ok(problems(multi).includes('ALLOWED_TENANT_IDS'));
    assert.ok(!problems({ ...multi, ALLOWED_TENANT_IDS: TENANT }).includes('ALLOWED_TENANT_IDS'));
  });

  it('refuses ToBotFromChannelOpenIdMetadataUrl in Azure, and an empty app id there', () => {
    assert.ok(
      problems({ ...BOT, WEBSITE_SITE_NAME: 'app', ToBotFromChannelOpenIdMetadataUrl: 'https://keys.example/.well-known/openid' }).includes(
        'ToBotFromChannelOpenIdMetadataUrl',
      ),
    );
    assert.ok(problems({ WEBSITE_SITE_NAME: 'app' }).includes('MicrosoftAppId'));
  });

  it('checks ids, channels, the group count and the rate', () => {
    assert.ok(problems({ ALLOWED_USER_IDS: 'alice@example.com' }).includes('ALLOWED_USER_IDS'));
    assert.ok(problems({ ALLOWED_CHANNELS: 'msteams, <script>' }).includes('ALLOWED_CHANNELS'));
    const groups = Array.from({ length: 21 }, (_, i) => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',');
    assert.ok(problems({ ALLOWED_GROUP_IDS: groups }).includes('ALLOWED_GROUP_IDS'));
    assert.ok(problems({ USER_QUESTIONS_PER_MINUTE: '0' }).includes('USER_QUESTIONS_PER_MINUTE'));
    assert.deepEqual(policy({ ALLOWED_CHANNELS: 'msteams,webchat' }).allowedChannels, ['msteams', 'webchat']);
  });
});
