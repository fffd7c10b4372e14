// The operator's view of the bot in the Azure portal: an Application Insights workbook over the custom
// metrics (customMetrics) and the spans (requests, dependencies). Source: ../workbook/genie-bot.workbook.json.
param location string
param tags object = {}
param applicationInsightsId string
param displayName string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; stable per resource group so re-provisioning updates it in place.
  name: guid(resourceGroup().id, 'genie-teams-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: applicationInsightsId
    serializedData: replace(loadTextContent('../workbook/genie-bot.workbook.json'), '__APPLICATION_INSIGHTS_ID__', applicationInsightsId)
  }
}

output id string = workbook.id
output name string = workbook.name
