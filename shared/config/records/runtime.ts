import { number, text } from './kinds';

/** Facts the app reads but users never set (Azure's), and the local dev host's own. */
export const RUNTIME_SETTINGS = {
  instanceId: text({ name: 'WEBSITE_INSTANCE_ID', doc: 'Set by Azure: this instance id in health and metrics.' }),
  siteName: text({ name: 'WEBSITE_SITE_NAME', doc: 'Set by Azure: tells the app it runs in Azure (MicrosoftAppId then required).' }),
  devPort: number({ name: 'PORT', default: 7071, min: 0, max: 65_535, integer: true, doc: 'Port of the local dev host (npm run dev).' }),
} as const;
