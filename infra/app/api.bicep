// The function app: Flex Consumption plan (FC1, Linux), Node 22, run as the user-assigned identity,
// deployed from a blob container, every setting the app needs in its app settings.
param name string
param planName string
param location string
param tags object = {}

param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultName string
param secretNames object

param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048
param alwaysReadyHttpInstances int = 0

param databricksHost string
param genieSpaceId string
param genieSpaces string = ''
param genieSpacePins string = ''
param databricksAuthType string
param databricksClientId string = ''
param armClientId string = ''
param armTenantId string
param botAppType string
param botAppId string = ''
param botTenantId string
param sampleQuestions string = ''
param defaultLocale string = 'en-US'
param sessionIdleMinutes int = 240
param stateTablePrefix string = 'genie'
param allowedTenantIds string = ''
param allowedUserIds string = ''
param allowedGroupIds string = ''
param userQuestionsPerMinute int = 10
param genieQuestionsPerMinute int = 5
@allowed(['service', 'user'])
param genieIdentity string = 'service'
param oauthConnectionName string = ''
@allowed(['personal-chat-only', 'thread'])
param userAnswersInSharedChats string = 'personal-chat-only'
param adminContact string = ''
@description('Accept inbound traffic only from the AzureBotService service tag.')
param restrictInboundToBotService bool = false

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Versionless secret URIs: a new secret version is picked up on the next reference refresh or restart.
var secretsUri = '${vault.properties.vaultUri}secrets/'

// app-settings:start
// tests/infra/bicep-settings.test.ts parses this block: every key must be a setting the app reads
// (shared/config/settings.ts) or a documented Functions/Azure setting, and every mode below must
// load into a complete configuration. Keep one `KEY: value` per line.

// Host and app storage by identity: the Functions host (AzureWebJobsStorage), the queue trigger
// (connection AzureWebJobsStorage) and the app's Table/Queue clients all read these.
var storageSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// Application Insights: the host and the app's OpenTelemetry exporter authenticate with the identity.
var telemetrySettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  TELEMETRY_SAMPLING_RATIO: '1'
  LOG_LEVEL: 'info'
  LOG_QUESTION_TEXT: 'false'
}

// What production pins rather than leaves to defaults.
var appSettingsBase = {
  FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR: 'true'
  DATABRICKS_HOST: databricksHost
  GENIE_SPACE_ID: genieSpaceId
  GENIE_SPACES: genieSpaces
  GENIE_SPACE_PINS: genieSpacePins
  GENIE_DELETE_EXPIRED_CONVERSATIONS: 'true'
  STATE_STORE: 'table'
  STATE_TABLE_PREFIX: stateTablePrefix
  ANSWER_DISPATCH: 'queue'
  SESSION_IDLE_MINUTES: string(sessionIdleMinutes)
  SAMPLE_QUESTIONS: sampleQuestions
  DEFAULT_LOCALE: defaultLocale
  // The host refuses bodies above 256 KB itself (MAX_WEBHOOK_BODY_BYTES); Teams activities are a few KB.
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '262144'
  ALLOWED_TENANT_IDS: allowedTenantIds
  ALLOWED_USER_IDS: allowedUserIds
  ALLOWED_GROUP_IDS: allowedGroupIds
  USER_QUESTIONS_PER_MINUTE: string(userQuestionsPerMinute)
  GENIE_QUESTIONS_PER_MINUTE: string(genieQuestionsPerMinute)
  // Whose rights Genie answers with (docs/deploy.md, per-user mode).
  GENIE_IDENTITY: genieIdentity
  OAUTH_CONNECTION_NAME: oauthConnectionName
  USER_ANSWERS_IN_SHARED_CHATS: userAnswersInSharedChats
  ADMIN_CONTACT: adminContact
}

// One entry per databricksAuthType. Secrets are Key Vault references, never values.
var databricksAuthModes = {
  'azure-msi': {
    DATABRICKS_AUTH_TYPE: 'azure-msi'
    ARM_CLIENT_ID: identityClientId
  }
  pat: {
    DATABRICKS_AUTH_TYPE: 'pat'
    DATABRICKS_TOKEN: '@Microsoft.KeyVault(SecretUri=${secretsUri}${secretNames.databricksToken})'
  }
  'oauth-m2m': {
    DATABRICKS_AUTH_TYPE: 'oauth-m2m'
    DATABRICKS_CLIENT_ID: databricksClientId
    DATABRICKS_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${secretsUri}${secretNames.databricksClientSecret})'
  }
  'azure-client-secret': {
    DATABRICKS_AUTH_TYPE: 'azure-client-secret'
    ARM_TENANT_ID: armTenantId
    ARM_CLIENT_ID: armClientId
    ARM_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${secretsUri}${secretNames.armClientSecret})'
  }
}

// One entry per botAppType.
var botModes = {
  UserAssignedMSI: {
    MicrosoftAppType: 'UserAssignedMSI'
    MicrosoftAppId: identityClientId
    MicrosoftAppTenantId: botTenantId
  }
  SingleTenant: {
    MicrosoftAppType: 'SingleTenant'
    MicrosoftAppId: botAppId
    MicrosoftAppTenantId: botTenantId
    MicrosoftAppPassword: '@Microsoft.KeyVault(SecretUri=${secretsUri}${secretNames.botAppPassword})'
  }
}
// app-settings:end

var appSettings = union(
  storageSettings,
  telemetrySettings,
  appSettingsBase,
  databricksAuthModes[databricksAuthType],
  botModes[botAppType]
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve as the system-assigned identity unless told otherwise; this app has
    // only the user-assigned one, which holds Key Vault Secrets User.
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // The HTTP functions form the 'http' group; an always-ready instance keeps the webhook warm.
        alwaysReady: alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : []
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      ipSecurityRestrictionsDefaultAction: restrictInboundToBotService ? 'Deny' : 'Allow'
      ipSecurityRestrictions: restrictInboundToBotService
        ? [
            {
              name: 'AzureBotService'
              description: 'Bot Framework channels only'
              tag: 'ServiceTag'
              ipAddress: 'AzureBotService'
              action: 'Allow'
              priority: 100
            }
          ]
        : []
    }
  }

  // Deployments authenticate with Entra ID (azd, the deployment container): no basic (user name and
  // password) publishing credentials for SCM or FTP.
  resource scmBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: { allow: false }
  }

  resource ftpBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: { allow: false }
  }

  resource configAppSettings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
