// What a domain is, once for the whole product: how a typed domain, URL or email address becomes
// the bare host we store and send to Apollo, and which bare hosts are valid. The database applies
// the same rule (private.normalize_domain, migration 20261205007100, and the CHECK on
// accounts.domain); domain_rule_test runs one table of cases through both. The SPA, the jobs API,
// the Apollo client and the local fake Apollo import this file. Plain TypeScript, no imports.

/** A bare host: letters, digits and inner hyphens in each label, at least two labels (accounts_domain_check). */
export const DOMAIN_PATTERN = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$";
const DOMAIN = new RegExp(DOMAIN_PATTERN);

/**
 * "https://www.Stripe.com:443/about?x=1" -> "stripe.com"; "jane@stripe.com" -> "stripe.com";
 * "stripe.com." -> "stripe.com". "" when nothing is left. The result still has to pass isValidDomain.
 */
export function normalizeDomain(input: string): string {
  let host = input.trim().toLowerCase();
  host = host.replace(/^mailto:/, "").replace(/^([a-z][a-z0-9+.-]*:)?\/\//, ""); // scheme
  host = /^[^/?#\s]*/.exec(host)![0]; // path, query, fragment
  host = host.replace(/^.*@/, ""); // user@ (of an email address or a URL)
  host = host.replace(/:[0-9]*$/, ""); // port
  host = host.replace(/\.+$/, ""); // the root's trailing dot
  return host.replace(/^(www[0-9]*\.)+(?=.*\.)/, ""); // www., www2. ... while a domain is left
}

/** Whether a (normalized) domain is one we store and look up. */
export function isValidDomain(domain: string): boolean {
  return DOMAIN.test(domain);
}
