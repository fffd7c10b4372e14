/**
 * The app's one entry (package.json `main`): registers every function, as the Functions host loads
 * it, and exports their definitions for the dev host. Each function file imports only what
 * registration needs; the app root and its SDKs load on first use (a separate chunk in deploy/).
 */
export { answerFunction } from './answer';
export { answerPoisonFunction } from './answer-poison';
export { healthFunction } from './health';
export { messagesFunction } from './messages';
export { metricsFunction } from './metrics';
export { sweepFunction } from './sweep';
