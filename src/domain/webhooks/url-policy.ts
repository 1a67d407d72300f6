import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go. A webhook URL is chosen by an admin but requested by the server, so it
 * must not become a way into the server's own network (the database, a cloud metadata service):
 * without an allow-list only https URLs whose host resolves to public addresses are accepted; an
 * allow-list names the hosts (internal ones too, then http is allowed) and nothing else.
 */
export interface WebhookUrlPolicy {
  /** Lower-case host names, `*.suffix` patterns, IP addresses and CIDR ranges; empty: public hosts. */
  allowedHosts: readonly string[];
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Why an allow-list entry is not one (for configuration errors), or undefined. */
export function allowedHostProblem(entry: string): string | undefined {
  if (ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry)) return undefined;
  const name = entry.startsWith('*.') ? entry.slice(2) : entry;
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) return 'not a host name, IP address or CIDR range';
  return undefined;
}

/** Why this URL cannot be a webhook endpoint under the policy, or undefined. Addresses are checked again when sending. */
export function webhookUrlProblem(text: string, policy: WebhookUrlPolicy): string | undefined {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return `at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the scheme must be https (or http for a host on the allow-list)';
  if (url.username || url.password) return 'credentials do not belong in the URL: the signature authenticates Provisio to the receiver';
  if (url.hash) return 'a URL fragment is never sent; remove it';
  const host = hostOf(url);
  const listed = policy.allowedHosts.length > 0 && isListed(host, policy);
  if (policy.allowedHosts.length > 0 && !listed) return `${host} is not on the webhook allow-list (PROVISIO_WEBHOOK_ALLOWED_HOSTS)`;
  if (url.protocol === 'http:' && !listed) return 'http is allowed only for hosts on the allow-list (PROVISIO_WEBHOOK_ALLOWED_HOSTS); use https';
  if (!listed && ipaddr.isValid(host)) return addressProblem(host, policy, host);
  return undefined;
}

/**
 * Why the server must not connect to `address` for a URL naming `host`, or undefined. A host on
 * the allow-list may resolve anywhere (the operator vouched for it); any other host only to public
 * unicast addresses, checked on the address actually connected to (no DNS rebinding).
 */
export function addressProblem(address: string, policy: WebhookUrlPolicy, host: string): string | undefined {
  if (policy.allowedHosts.length > 0 && isListed(host, policy)) return undefined;
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range !== 'unicast') return `${address} is a ${range} address: only public addresses are reached unless the host is on the allow-list (PROVISIO_WEBHOOK_ALLOWED_HOSTS)`;
  return undefined;
}

/** The URL's host as compared with the allow-list: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isListed(host: string, policy: WebhookUrlPolicy): boolean {
  const address = ipaddr.isValid(host) ? ipaddr.process(host) : undefined;
  return policy.allowedHosts.some((entry) => {
    if (address) {
      if (ipaddr.isValidCIDR(entry)) {
        const [network, prefix] = ipaddr.parseCIDR(entry);
        return network.kind() === address.kind() && address.match(network, prefix);
      }
      return ipaddr.isValid(entry) && ipaddr.process(entry).toString() === address.toString();
    }
    if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
    return entry === host;
  });
}
