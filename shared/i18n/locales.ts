/**
 * The languages the bot speaks, on their own so that configuration can name them without loading
 * the catalogs or the message formatter (configuration is part of every function's registration).
 */
export const LOCALES = ['en-US', 'zh-TW', 'zh-CN'] as const;

export type Locale = (typeof LOCALES)[number];
