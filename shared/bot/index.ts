export {
  BotHost,
  type BotHostOptions,
  connectorStatus,
  type ConversationSender,
  DEFAULT_SEND_RETRY_POLICY,
  type SendRetryPolicy,
  type TurnLogic,
  type TurnRouter,
  withConnectorRetry,
} from './adapter';
export { AnswerWorker, type AnswerWorkerDependencies } from './answer-worker';
export * from './cards';
export { chatKeyOf } from './chat';
export { parseCommand, parseUse } from './commands';
export { GenieBot, type GenieBotDependencies, isQuestion, jobIdOf, MAX_QUESTION_CHARS, questionText } from './genie-bot';
export { SpaceDirectory } from './spaces';
export {
  checkWebhookRequest,
  handleWebhook,
  RetryLaterError,
  STORAGE_RETRY_AFTER_SECONDS,
  type WebhookInput,
  type WebhookPolicy,
  type WebhookResult,
} from './webhook';
