// The Azure Bot: Bot Service forwards Teams activities to the function app's /api/messages and signs
// them with Bot Framework tokens the app checks (MicrosoftAppId in api.bicep is the same id).
param name string
param tags object = {}
param displayName string
param sku string = 'F0'
param endpoint string
@allowed(['UserAssignedMSI', 'SingleTenant'])
param appType string
@description('UserAssignedMSI: the identity\'s client id. SingleTenant: the app registration\'s application id.')
param appId string
@description('The user-assigned identity; used only with UserAssignedMSI.')
param identityId string
param tenantId string
@description('Per-user mode: the OAuth connection giving each asker\'s Azure Databricks token; none when empty.')
param oauthConnectionName string = ''
@description('The bot app registration\'s client secret (SingleTenant), for the OAuth connection.')
@secure()
param oauthClientSecret string = ''

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: sku }
  // msaAppMSIResourceId only for UserAssignedMSI: a SingleTenant bot has no managed identity to name.
  properties: union(
    {
      displayName: displayName
      endpoint: endpoint
      msaAppType: appType
      msaAppId: appId
      msaAppTenantId: tenantId
      publicNetworkAccess: 'Enabled'
    },
    appType == 'UserAssignedMSI' ? { msaAppMSIResourceId: identityId } : {}
  )
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// Per-user mode (GENIE_IDENTITY=user): Entra ID v2 for Azure Databricks' user_impersonation scope.
// The token exchange URL is the app registration's api://botid-{appId} URI: Teams SSO, no click.
resource databricksConnection 'Microsoft.BotService/botServices/connections@2022-09-15' = if (!empty(oauthConnectionName)) {
  parent: bot
  name: empty(oauthConnectionName) ? 'unused' : oauthConnectionName
  location: 'global'
  properties: {
    // "Azure Active Directory v2" in the portal.
    serviceProviderId: '30dd229c-58e3-4a48-bdfd-91ec48eb906c'
    serviceProviderDisplayName: 'Azure Active Directory v2'
    clientId: appId
    clientSecret: oauthClientSecret
    scopes: '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/user_impersonation'
    parameters: [
      { key: 'tenantID', value: tenantId }
      { key: 'tokenExchangeUrl', value: 'api://botid-${appId}' }
    ]
  }
}

output name string = bot.name
output endpoint string = bot.properties.endpoint
output appId string = appId
