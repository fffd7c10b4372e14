export { type GateActivity, type GateDecision, PolicyGate, type PolicyGateOptions, tenantOf } from './gate';
export { GRAPH_BASE_URL, GraphGroupMembership, type GraphGroupMembershipOptions, GroupCheckError, type GroupMembership } from './groups';
export { RATE_WINDOW_MS, RateCheckError, type RateDecision, type RateWindow, UserRateLimiter } from './rate';
export { REFUSAL_CODES, type RefusalReason } from './refusals';
export { isLoopbackServiceUrl } from './service-url';
