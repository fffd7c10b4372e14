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

output name string = bot.name
output endpoint string = bot.properties.endpoint
output appId string = appId
