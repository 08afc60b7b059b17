// Apollo wants a bare domain ("apollo.io"): no scheme, www., user@, port, path, query or trailing dot.

/** "https://www.Stripe.com/about?x=1" -> "stripe.com"; "jane@stripe.com" -> "stripe.com". "" when nothing is left. */
export function normalizeDomain(input: string): string {
  let d = input.trim().toLowerCase();
  d = d.replace(/^mailto:/, "");
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  d = d.replace(/^\/\//, "");
  d = d.split(/[/?#\s]/)[0] ?? "";
  if (d.includes("@")) d = d.slice(d.lastIndexOf("@") + 1);
  d = d.replace(/:\d*$/, "");
  d = d.replace(/\.+$/, "");
  while (/^www\d*\./.test(d) && d.split(".").length > 2) d = d.replace(/^www\d*\./, "");
  return d;
}

/** Looks like a registrable host name: labels of letters, digits and hyphens, at least one dot. */
export function isPlausibleDomain(domain: string): boolean {
  return domain.length <= 253 &&
    /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)(\.(?!-)[\p{L}\p{N}-]{1,63}(?<!-))+$/u.test(domain);
}
