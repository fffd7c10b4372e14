// Log Analytics + workspace-based Application Insights. With disableLocalAuth the instrumentation key
// alone is refused: the app and the host send with an Entra token of the user-assigned identity
// (APPLICATIONINSIGHTS_AUTHENTICATION_STRING, role Monitoring Metrics Publisher in rbac.bicep).
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object = {}
param disableLocalAuth bool = true
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: disableLocalAuth
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsId string = applicationInsights.id
output connectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsId string = logAnalytics.id
