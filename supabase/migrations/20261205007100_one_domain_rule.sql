-- One rule for what a domain is, the same in SQL and TypeScript
-- (supabase/functions/_shared/domain.ts; domain_rule_test runs one table of cases through both).
-- Until now the SPA, the jobs API, the Apollo client and the fake Apollo each had their own
-- version, and they disagreed: "jane@acme.com" or "acme.com." was refused here and sent to Apollo
-- as "acme.com" by the worker. private.normalize_domain now also takes an email address's host, a
-- port, the root's trailing dot and "www2."-style prefixes off, as the worker always did. Stored
-- domains were normalized by the narrower rule, which this one leaves unchanged.
create or replace function private.normalize_domain(domain text)
returns text
language sql
immutable
set search_path = ''
as $$
  select nullif(
    regexp_replace(                                             -- www., www2. ... while a domain is left
      regexp_replace(                                           -- the root's trailing dot
        regexp_replace(                                         -- port
          regexp_replace(                                       -- user@
            substring(                                          -- path, query, fragment
              regexp_replace(regexp_replace(lower(regexp_replace(normalize_domain.domain, '^[[:space:]]+|[[:space:]]+$', '', 'g')),
                                            '^mailto:', ''),
                             '^([a-z][a-z0-9+.-]*:)?//', '')    -- scheme
              from '^[^/?#[:space:]]*'),
            '^.*@', ''),
          ':[0-9]*$', ''),
        '\.+$', ''),
      '^(www[0-9]*\.)+(?=.*\.)', ''),
    '')
$$;
comment on function private.normalize_domain(text) is
  'Bare lower-case host of a domain, URL or email address: https://www.Acme.com:443/x -> acme.com, jane@acme.com -> acme.com (the rule of supabase/functions/_shared/domain.ts).';
