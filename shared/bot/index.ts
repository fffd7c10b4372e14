export {
  BotHost,
  type BotHostOptions,
  connectorStatus,
  type ConversationSender,
  DEFAULT_SEND_RETRY_POLICY,
  type SendRetryPolicy,
  type TurnLogic,
  withConnectorRetry,
} from './adapter';
export { AnswerWorker, type AnswerWorkerDependencies, MAX_DEQUEUE_COUNT, POISON_REPLY } from './answer-worker';
export * from './cards';
export { chatKeyOf } from './chat';
export { type Command, GenieBot, type GenieBotDependencies, MAX_QUESTION_CHARS, parseCommand, questionText } from './genie-bot';
export { checkWebhookRequest, handleWebhook, type WebhookInput, type WebhookResult } from './webhook';
