/**
 * Least privilege in the Bicep, checked from the template text (no Bicep CLI here): each point of
 * docs/security.md's infrastructure list has a check that fails if a template loses it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { MAX_WEBHOOK_BODY_BYTES } from '../../shared/hosting';

const ROOT = join(__dirname, '..', '..', '..');
const read = (...path: string[]): string => readFileSync(join(ROOT, ...path), 'utf8');
const API = read('infra', 'app', 'api.bicep');
const RBAC = read('infra', 'app', 'rbac.bicep');
const STORAGE = read('infra', 'app', 'storage.bicep');
const VAULT = read('infra', 'app', 'keyvault.bicep');
const MAIN = read('infra', 'main.bicep');
const DEPLOY_DOC = read('docs', 'deploy.md');

/** The `resource … = …{ … }` blocks of a template whose header matches `header`, by brace matching. */
function resourceBlocks(text: string, header: RegExp): string[] {
  const blocks: string[] = [];
  for (const match of text.matchAll(new RegExp(header.source, 'g'))) {
    let depth = 0;
    let i = text.indexOf('{', match.index);
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    blocks.push(text.slice(match.index, i + 1));
  }
  return blocks;
}

describe('infra: least privilege', () => {
  it('scopes the blob data role to the app’s containers, never to the storage account', () => {
    const blob = resourceBlocks(RBAC, /resource blobAssignments /);
    assert.equal(blob.length, 1);
    assert.match(blob[0]!, /scope: blobContainers\[i\]/);
    assert.match(blob[0]!, /roles\.storageBlobDataOwner/);
    const accountWide = resourceBlocks(RBAC, /resource storageAssignments /)[0] ?? '';
    assert.match(accountWide, /scope: storage\b/);
    assert.ok(
      !/storageBlobDataOwner/.test(RBAC.slice(RBAC.indexOf('var storageRoles'), RBAC.indexOf('resource storageAssignments'))),
      'no blob role account-wide',
    );
    assert.match(STORAGE, /output blobContainerNames array = concat\(\[deploymentContainerName\], hostContainerNames\)/);
    for (const container of ['azure-webjobs-hosts', 'azure-webjobs-secrets']) assert.ok(STORAGE.includes(`'${container}'`), container);
    assert.match(MAIN, /blobContainerNames: storage\.outputs\.blobContainerNames/);
  });

  it('turns off basic publishing credentials for SCM and FTP', () => {
    for (const name of ['scm', 'ftp']) {
      const policy = new RegExp(`'basicPublishingCredentialsPolicies' = \\{\\s*name: '${name}'\\s*properties: \\{ allow: false \\}`);
      assert.match(API, policy, name);
    }
    assert.match(API, /ftpsState: 'Disabled'/);
  });

  it('protects Key Vault from purge, with Azure RBAC and soft delete', () => {
    assert.match(VAULT, /enablePurgeProtection: true/);
    assert.match(VAULT, /enableSoftDelete: true/);
    assert.match(VAULT, /enableRbacAuthorization: true/);
  });

  it('lets the host refuse bodies above the webhook’s own limit', () => {
    assert.match(API, new RegExp(`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '${MAX_WEBHOOK_BODY_BYTES}'`));
  });

  it('can restrict inbound traffic to the AzureBotService service tag (off by default)', () => {
    assert.match(MAIN, /^param restrictInboundToBotService bool = false$/m);
    assert.match(API, /ipSecurityRestrictionsDefaultAction: restrictInboundToBotService \? 'Deny' : 'Allow'/);
    assert.match(API, /tag: 'ServiceTag'\s*ipAddress: 'AzureBotService'\s*action: 'Allow'/);
  });

  it('lists every role the identity holds in docs/deploy.md, with why', () => {
    const roles = [...RBAC.matchAll(/^ {2}(\w+): '[0-9a-f-]{36}'$/gm)].map((m) => m[1]!);
    assert.ok(roles.length >= 5, `found ${roles.length} roles`);
    const names: Record<string, string> = {
      storageBlobDataOwner: 'Storage Blob Data Owner',
      storageQueueDataContributor: 'Storage Queue Data Contributor',
      storageTableDataContributor: 'Storage Table Data Contributor',
      monitoringMetricsPublisher: 'Monitoring Metrics Publisher',
      keyVaultSecretsUser: 'Key Vault Secrets User',
      keyVaultSecretsOfficer: 'Key Vault Secrets Officer',
    };
    for (const role of roles) {
      assert.ok(names[role], `tests/infra: name the role ${role}`);
      assert.match(DEPLOY_DOC, new RegExp(`\\| ${names[role]} \\|`), `docs/deploy.md lists ${names[role]} in its roles table`);
    }
    for (const permission of ['GroupMember.Read.All', 'User.Read.All']) assert.ok(DEPLOY_DOC.includes(permission), permission);
  });
});
