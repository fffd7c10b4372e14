export { type CardSettings, ENVELOPE_RESERVE_BYTES, type FeedbackState, renderAnswerCard, withFeedbackGiven } from './answer-card';
export { type AxisScale, axisScale, CHART_RULES, type ChartRule, type ChartType, chooseChart, shapeOf, type TableShape } from './chart';
export { renderDownloadCard } from './download-card';
export {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  attachment,
  card,
  type CardElement,
  DOWNLOAD_VERB,
  type DownloadActionData,
  downloadButton,
  FEEDBACK_VERB,
  type FeedbackActionData,
  isDownloadActionData,
  isFeedbackActionData,
  jsonBytes,
  text,
} from './elements';
export { plainText, safeProse } from './escape';
export { CellFormatter, MAX_CELL_CHARS, NULL_MARK } from './format';
export { renderHelpCard } from './messages';
export { isUseSpaceActionData, renderSpacesCard, type SpaceEntry, USE_SPACE_VERB, type UseSpaceActionData } from './spaces';
