// Genie for Teams: everything `azd up` provisions. Subscription scope: creates the resource group.
// Shape of Azure-Samples/functions-quickstart-typescript-azd (Flex Consumption, user-assigned identity,
// storage without shared keys, Log Analytics + Application Insights), plus Key Vault, the Azure Bot
// with its Teams channel, and a portal workbook. docs/deploy.md explains every choice.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique resource token.')
param environmentName string

@minLength(1)
@description('Region of every regional resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group name; empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('The deploying user (azd sets AZURE_PRINCIPAL_ID): granted Key Vault Secrets Officer to set and rotate secrets. Empty: no grant.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principalId (azd sets AZURE_PRINCIPAL_TYPE).')
param principalType string = 'User'

// ---------------------------------------------------------------- Databricks and Genie

@minLength(8)
@description('Databricks workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net (DATABRICKS_HOST).')
param databricksHost string

@minLength(8)
@description('Genie space id, from the space URL .../genie/rooms/<id> (GENIE_SPACE_ID).')
param genieSpaceId string

@description('Further Genie spaces people may switch to, as alias=space_id pairs separated by ";" (GENIE_SPACES); empty: the default space only.')
param genieSpaces string = ''

@description('Teams or channels pinned to one space, as <team or channel id>=alias pairs separated by ";" (GENIE_SPACE_PINS).')
param genieSpacePins string = ''

@allowed(['azure-msi', 'pat', 'oauth-m2m', 'azure-client-secret'])
@description('How the app authenticates to Databricks. azure-msi (default): the function app\'s user-assigned identity, no secret.')
param databricksAuthType string = 'azure-msi'

@description('oauth-m2m: the Databricks service principal application id (DATABRICKS_CLIENT_ID).')
param databricksClientId string = ''

@description('azure-client-secret: the Entra application id (ARM_CLIENT_ID).')
param armClientId string = ''

@description('azure-client-secret: the Entra tenant id (ARM_TENANT_ID); empty: this subscription\'s tenant.')
param armTenantId string = ''

@secure()
@description('pat: a Databricks personal access token, written to Key Vault. Empty: leave the Key Vault secret as it is (set it with az keyvault secret set).')
param databricksToken string = ''

@secure()
@description('oauth-m2m: the service principal OAuth secret, written to Key Vault. Empty: leave the Key Vault secret as it is.')
param databricksClientSecret string = ''

@secure()
@description('azure-client-secret: the Entra client secret, written to Key Vault. Empty: leave the Key Vault secret as it is.')
param armClientSecret string = ''

// ---------------------------------------------------------------- Bot

@allowed(['UserAssignedMSI', 'SingleTenant'])
@description('UserAssignedMSI (default): the bot is the function app\'s user-assigned identity, no secret. SingleTenant: an Entra app registration you create (botAppId + botAppPassword).')
param botAppType string = 'UserAssignedMSI'

@description('SingleTenant: the Entra app registration\'s application (client) id.')
param botAppId string = ''

@secure()
@description('SingleTenant: a client secret of that app registration, written to Key Vault. Empty: leave the Key Vault secret as it is.')
param botAppPassword string = ''

@minLength(1)
@maxLength(42)
@description('Name of the bot in the Azure Bot resource.')
param botDisplayName string = 'Genie'

@allowed(['F0', 'S1'])
@description('Azure Bot pricing tier. Teams is a standard channel: F0 has no message limit there.')
param botSku string = 'F0'

// ---------------------------------------------------------------- App behaviour

@description('Example questions for help and the welcome message, separated by ";" (SAMPLE_QUESTIONS).')
param sampleQuestions string = ''

@description('Language for users whose Teams locale the bot does not speak (DEFAULT_LOCALE).')
@allowed(['en-US', 'zh-TW', 'zh-CN'])
param defaultLocale string = 'en-US'

@minValue(1)
@maxValue(43200)
@description('A chat idle this long starts a new Genie conversation (SESSION_IDLE_MINUTES).')
param sessionIdleMinutes int = 240

@minLength(1)
@maxLength(50)
@description('Prefix of the state tables: <prefix>sessions, <prefix>dedup, <prefix>jobs (STATE_TABLE_PREFIX). Letters and digits.')
param stateTablePrefix string = 'genie'

// ---------------------------------------------------------------- Who may ask (docs/security.md)

@description('Comma-separated Entra tenant ids served (ALLOWED_TENANT_IDS). Empty: the bot tenant only.')
param allowedTenantIds string = ''

@description('Comma-separated Entra object ids of the people who may ask (ALLOWED_USER_IDS). Empty: everyone in the allowed tenants, unless allowedGroupIds is set.')
param allowedUserIds string = ''

@description('Comma-separated Entra group ids (at most 20) whose members may ask (ALLOWED_GROUP_IDS). Needs the Graph permissions granted by hand (docs/deploy.md).')
param allowedGroupIds string = ''

@minValue(1)
@maxValue(100000)
@description('Questions one person may ask per minute, across all instances (USER_QUESTIONS_PER_MINUTE).')
param userQuestionsPerMinute int = 10

@description('Questions the whole workspace sends Genie per minute, across all instances (GENIE_QUESTIONS_PER_MINUTE; Genie\'s documented best-effort limit is 5).')
@minValue(1)
@maxValue(60000)
param genieQuestionsPerMinute int = 5

@description('Accept inbound traffic only from the AzureBotService service tag: /api/health and /api/metrics are then unreachable from elsewhere.')
param restrictInboundToBotService bool = false

@description('Whose rights Genie answers with: service (the app\'s Databricks identity) or user (each asker\'s own, through Teams sign-in; needs botAppType SingleTenant). See docs/deploy.md, per-user mode.')
@allowed(['service', 'user'])
param genieIdentity string = 'service'

@description('Name of the Azure Bot OAuth connection created for per-user mode.')
param oauthConnectionName string = 'databricks'

@description('Per-user mode in group chats and channels: personal-chat-only (safe) or thread.')
@allowed(['personal-chat-only', 'thread'])
param userAnswersInSharedChats string = 'personal-chat-only'

@description('Who people ask for access to the Genie space and its data (named when Databricks refuses them).')
param adminContact string = ''

// ---------------------------------------------------------------- Hosting and monitoring

@description('Disable local (instrumentation key) authentication on Application Insights: telemetry is accepted only with an Entra token of an identity holding Monitoring Metrics Publisher.')
param appInsightsDisableLocalAuth bool = true

@minValue(7)
@maxValue(730)
@description('Log Analytics retention in days.')
param logRetentionDays int = 30

@minValue(1)
@maxValue(1000)
@description('Flex Consumption scale-out limit.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Flex Consumption instance memory.')
param instanceMemoryMB int = 2048

@minValue(0)
@maxValue(20)
@description('Always-ready instances for the HTTP functions (messages, health, metrics): removes cold starts from the webhook, billed while idle. 0: none.')
param alwaysReadyHttpInstances int = 0

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

// Secret names in Key Vault; app settings reference them with versionless URIs (docs/deploy.md, rotating secrets).
var secretNames = {
  databricksToken: 'databricks-token'
  databricksClientSecret: 'databricks-client-secret'
  armClientSecret: 'arm-client-secret'
  botAppPassword: 'bot-app-password'
}

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    stateTablePrefix: stateTablePrefix
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    disableLocalAuth: appInsightsDisableLocalAuth
    retentionInDays: logRetentionDays
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    secretNames: secretNames
    // Only the secret the chosen mode uses is written: a DATABRICKS_TOKEN or ARM_CLIENT_SECRET that
    // happens to be in the shell of someone deploying the default (secret-free) setup stays out of Azure.
    databricksToken: databricksAuthType == 'pat' ? databricksToken : ''
    databricksClientSecret: databricksAuthType == 'oauth-m2m' ? databricksClientSecret : ''
    armClientSecret: databricksAuthType == 'azure-client-secret' ? armClientSecret : ''
    botAppPassword: botAppType == 'SingleTenant' ? botAppPassword : ''
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    blobContainerNames: storage.outputs.blobContainerNames
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    secretNames: secretNames
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    databricksHost: databricksHost
    genieSpaceId: genieSpaceId
    genieSpaces: genieSpaces
    genieSpacePins: genieSpacePins
    databricksAuthType: databricksAuthType
    databricksClientId: databricksClientId
    armClientId: armClientId
    armTenantId: !empty(armTenantId) ? armTenantId : tenant().tenantId
    botAppType: botAppType
    botAppId: botAppId
    botTenantId: tenant().tenantId
    sampleQuestions: sampleQuestions
    defaultLocale: defaultLocale
    sessionIdleMinutes: sessionIdleMinutes
    stateTablePrefix: stateTablePrefix
    allowedTenantIds: allowedTenantIds
    allowedUserIds: allowedUserIds
    allowedGroupIds: allowedGroupIds
    userQuestionsPerMinute: userQuestionsPerMinute
    genieQuestionsPerMinute: genieQuestionsPerMinute
    restrictInboundToBotService: restrictInboundToBotService
    genieIdentity: genieIdentity
    oauthConnectionName: genieIdentity == 'user' ? oauthConnectionName : ''
    userAnswersInSharedChats: userAnswersInSharedChats
    adminContact: adminContact
  }
  // The identity must hold its storage, Key Vault and monitoring roles before the app starts and
  // resolves its Key Vault references.
  dependsOn: [rbac]
}

module bot 'app/bot.bicep' = {
  name: 'bot'
  scope: rg
  params: {
    name: '${abbrs.botServicesBotServices}${resourceToken}'
    tags: tags
    displayName: botDisplayName
    sku: botSku
    endpoint: 'https://${api.outputs.defaultHostName}/api/messages'
    appType: botAppType
    appId: botAppType == 'UserAssignedMSI' ? identity.outputs.clientId : botAppId
    identityId: identity.outputs.id
    tenantId: tenant().tenantId
    oauthConnectionName: genieIdentity == 'user' ? oauthConnectionName : ''
    oauthClientSecret: botAppPassword
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    displayName: 'Genie for Teams (${environmentName})'
  }
}

// azd writes these into .azure/<env>/.env; npm run package:teams reads BOT_ID from there.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output FUNCTION_APP_URL string = 'https://${api.outputs.defaultHostName}'
output BOT_MESSAGING_ENDPOINT string = bot.outputs.endpoint
output BOT_ID string = bot.outputs.appId
output BOT_APP_TYPE string = botAppType
output BOT_NAME string = bot.outputs.name
output MANAGED_IDENTITY_NAME string = identity.outputs.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output APPLICATIONINSIGHTS_RESOURCE_ID string = monitoring.outputs.applicationInsightsId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output WORKBOOK_RESOURCE_ID string = workbook.outputs.id
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
