export { readAnswer } from './answer';
export { askGenie, type AskOptions, type AskResult, pollUntilAnswered, type WaitResult } from './ask';
export {
  AZURE_DATABRICKS_RESOURCE,
  CachedTokenSource,
  createTokenSource,
  databricksOAuthTokenSource,
  type DatabricksTokenSource,
  entraTokenSource,
  type IssuedToken,
  noServiceCredentials,
  patTokenSource,
  userTokenSource,
} from './auth';
export {
  type CallOutcome,
  type GenieCallEvent,
  type GenieCallObserver,
  GenieClient,
  type GenieClientOptions,
  type GenieRetryEvent,
} from './client';
export { decodeStatement, expandScientific } from './decode';
export {
  DEFAULT_DOWNLOAD_SCHEDULE,
  downloadFullResult,
  type DownloadLink,
  type DownloadOptions,
  type DownloadSchedule,
  type DownloadState,
  type DownloadTicket,
  isSafeDownloadUrl,
  readDownload,
} from './downloads';
export {
  type FailureReason,
  failureReasonOf,
  GenieAnswerError,
  GenieAuthError,
  GenieCancelledError,
  GenieDownloadError,
  type GenieEndpoint,
  GenieError,
  GenieHttpError,
  GenieNetworkError,
  GenieSignInRequiredError,
  GenieUncertainError,
  GenieWaitTimeoutError,
  userMessageKey,
} from './errors';
export { DEFAULT_POLL_SCHEDULE, FINAL_STATUSES, nextPollDelay, type PhaseCadence, type PollSchedule } from './poll';
export { DEFAULT_RETRY_POLICY, PACED_RETRY_POLICY, parseRetryAfter, retryDelay, type RetryPolicy } from './retry';
export * from './types';
