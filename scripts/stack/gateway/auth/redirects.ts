// Where Auth sends a browser back to after an emailed link: the redirect_to the app asked for when
// it is allowed (the Site URL's origin, a loopback address, or additional_redirect_urls), else the
// Referer when allowed, else the Site URL. As GoTrue's utilities.GetReferrer / IsRedirectURLValid.
import type { AuthSettings } from "./settings.ts";

/** additional_redirect_urls globs: `**` matches anything, `*` and `?` stay within a host label or path segment. */
function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") out += "[^./]*";
    else if (c === "?") out += "[^./]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function isRedirectUrlValid(settings: AuthSettings, redirectUrl: string | null | undefined): boolean {
  if (!redirectUrl) return false;
  let base: URL, target: URL;
  try {
    base = new URL(settings.siteUrl);
    target = new URL(redirectUrl);
  } catch {
    return false;
  }
  // Back to the site itself: same scheme, host and port (any port on a loopback host, for native apps).
  if (base.hostname === target.hostname && base.protocol === target.protocol &&
    (base.port === target.port || isLoopback(target.hostname))) return true;
  if (/^\d+$/.test(target.hostname)) return false; // an IP address written as one decimal number
  if (/^[\d.]+$/.test(target.hostname) || target.hostname.startsWith("[")) return isLoopback(target.hostname);
  const withoutFragment = redirectUrl.split("#")[0];
  return settings.redirectAllowList.some((pattern) => globToRegExp(pattern).test(withoutFragment));
}

/** The redirect_to header or query parameter, the Referer, or the Site URL: the first one allowed. */
export function referrer(req: Request, settings: AuthSettings): string {
  const asked = req.headers.get("redirect_to") || new URL(req.url).searchParams.get("redirect_to");
  if (isRedirectUrlValid(settings, asked)) return asked!;
  const referer = req.headers.get("referer");
  if (isRedirectUrlValid(settings, referer)) return referer!;
  return settings.siteUrl;
}
