/**
 * Whether replies to `serviceUrl` stay on this machine (127.0.0.0/8, ::1, localhost): the Agents
 * Playground and local emulators. Without an app id nothing proves who sent an activity, so only
 * these may be served: any other URL would receive the answer, with the data in it.
 */
export function isLoopbackServiceUrl(serviceUrl: string): boolean {
  if (!URL.canParse(serviceUrl)) return false;
  const host = new URL(serviceUrl).hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
