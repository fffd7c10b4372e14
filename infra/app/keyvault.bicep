// Key Vault for the secrets some setups need (a Databricks PAT or OAuth secret, an Entra client
// secret, a SingleTenant bot secret). The default setup (azure-msi + UserAssignedMSI) needs none.
// Azure RBAC authorization: the app's identity reads (Key Vault Secrets User), the deploying user
// writes (Key Vault Secrets Officer), both in rbac.bicep. App settings reference secrets by
// versionless URI, so a new secret version is picked up without a redeploy (docs/deploy.md).
param name string
param location string
param tags object = {}
param secretNames object

// A secret is written only when a value is given: an empty parameter leaves whatever is in the vault
// (for example a secret set with az keyvault secret set) untouched on the next azd provision.
@secure()
param databricksToken string = ''
@secure()
param databricksClientSecret string = ''
@secure()
param armClientSecret string = ''
@secure()
param botAppPassword string = ''

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // A deleted vault or secret cannot be purged before the retention ends (cannot be turned off again).
    enablePurgeProtection: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource databricksTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(databricksToken)) {
  parent: vault
  name: secretNames.databricksToken
  properties: { value: databricksToken }
}

resource databricksClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(databricksClientSecret)) {
  parent: vault
  name: secretNames.databricksClientSecret
  properties: { value: databricksClientSecret }
}

resource armClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(armClientSecret)) {
  parent: vault
  name: secretNames.armClientSecret
  properties: { value: armClientSecret }
}

resource botAppPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(botAppPassword)) {
  parent: vault
  name: secretNames.botAppPassword
  properties: { value: botAppPassword }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
