/** What the asker sees while Genie works: typing, the status line, or (personal chats) Teams' progress stream. */
export { type ProgressDisplay, type ProgressDisplayDependencies, showProgress } from './display';
export { scheduleStatusLine, type StatusLine } from './status-line';
export { ProgressStreams, STREAM_CAP_MARGIN_MS, STREAM_CAP_MS, STREAM_UPDATE_INTERVAL_MS } from './stream';
export { keepTyping } from './typing';
