import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../../shared/config';

const site = {
  DATABRICKS_HOST: 'https://adb-1234567890123456.7.azuredatabricks.net',
  GENIE_SPACE_ID: '01ef64767add1e6daa55e6299276657d',
  ANSWER_DISPATCH: 'inline',
};

describe('GENIE_IDENTITY', () => {
  it('defaults to the service identity, whose credentials stay required, and answers in shared chats safely', () => {
    const result = loadConfig(site);
    assert.ok(!result.ok);
    assert.ok(result.problems.some((p) => p.setting === 'DATABRICKS_TOKEN' && p.kind === 'missing'));
    const withToken = loadConfig({ ...site, DATABRICKS_TOKEN: 'dapi0123' });
    assert.ok(withToken.ok);
    assert.equal(withToken.config.genie.identity, 'service');
    assert.equal(withToken.config.genie.userAnswersInSharedChats, 'personal-chat-only');
  });

  it('user: needs the OAuth connection, and no Databricks credentials of the app', () => {
    const missing = loadConfig({ ...site, GENIE_IDENTITY: 'user' });
    assert.ok(!missing.ok);
    assert.deepEqual(
      missing.problems.map((p) => p.setting),
      ['OAUTH_CONNECTION_NAME'],
    );
    const result = loadConfig({
      ...site,
      GENIE_IDENTITY: 'user',
      OAUTH_CONNECTION_NAME: 'databricks',
      ADMIN_CONTACT: 'data-help@contoso.com',
    });
    assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
    assert.equal(result.config.databricks.auth, undefined);
    assert.equal(result.config.genie.oauthConnectionName, 'databricks');
    assert.equal(result.config.genie.adminContact, 'data-help@contoso.com');
  });
});
