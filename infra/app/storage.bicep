// Storage for the Functions host (deployment package, timer locks), the question queue and the state
// tables. Shared keys are disabled: everything is reached by identity (rbac.bicep).
param name string
param location string
param tags object = {}
param deploymentContainerName string
@description('STATE_TABLE_PREFIX: the app keeps sessions, de-duplication keys and job records in <prefix>sessions, <prefix>dedup, <prefix>jobs.')
param stateTablePrefix string

// The queue between the webhook and the answer worker (QUESTIONS_QUEUE in shared/config); the host
// moves messages that failed maxDequeueCount times to <queue>-poison. Both are created here so the
// identity needs data roles only.
var queueNames = [
  'genie-questions'
  'genie-questions-poison'
]
// The Functions host keeps its locks and timer state in azure-webjobs-hosts and its keys in
// azure-webjobs-secrets; created here so the identity's blob role can be scoped to these containers
// and the deployment container instead of the whole account.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]
var tableNames = [
  '${stateTablePrefix}sessions'
  '${stateTablePrefix}dedup'
  '${stateTablePrefix}jobs'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'
    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }
    resource hostContainers 'containers' = [for containerName in hostContainerNames: {
      name: containerName
      properties: { publicAccess: 'None' }
    }]
  }

  resource queueServices 'queueServices' = {
    name: 'default'
    resource queues 'queues' = [for queueName in queueNames: {
      name: queueName
    }]
  }

  resource tableServices 'tableServices' = {
    name: 'default'
    resource tables 'tables' = [for tableName in tableNames: {
      name: tableName
    }]
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
// Every blob container the app's identity may use (and nothing else in blob storage).
output blobContainerNames array = concat([deploymentContainerName], hostContainerNames)
