export { BotHost, connectorStatus, type ConversationSender, type SendRetryPolicy, type TurnLogic, withConnectorRetry } from './adapter';
export { AnswerWorker, type AnswerWorkerDependencies } from './answer-worker';
export * from './cards';
export { chatKeyOf } from './chat';
export { GenieBot, type GenieBotDependencies, MAX_QUESTION_CHARS, parseCommand, questionText } from './genie-bot';
export { checkWebhookRequest, handleWebhook, type WebhookInput, type WebhookResult } from './webhook';
