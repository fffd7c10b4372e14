/** What the asker sees while Genie works: typing, the status line. */
export { scheduleStatusLine, type StatusLine } from './status-line';
export { keepTyping } from './typing';
