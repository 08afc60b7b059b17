// auth.users and auth.identities: reading them, and the user JSON GoTrue returns
// (supabase/auth internal/models/user.go, identity.go).
import type { Db as Sql } from "./db.ts";

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  phone: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  phone_confirmed_at: Date | null;
  confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  recovery_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

export const USER_COLUMNS = `u.id, u.aud, u.role, u.email, u.phone, u.encrypted_password, u.email_confirmed_at,
  u.phone_confirmed_at, u.confirmed_at, u.confirmation_sent_at, u.recovery_sent_at, u.last_sign_in_at,
  u.raw_app_meta_data, u.raw_user_meta_data, u.created_at, u.updated_at, u.banned_until, u.deleted_at, u.is_anonymous`;

export async function findUserById(sql: Sql, id: string): Promise<UserRow | null> {
  const rows = await sql.unsafe<UserRow[]>(`select ${USER_COLUMNS} from auth.users u where u.id = $1`, [id]);
  return rows[0] ?? null;
}

/** The (password) user with this lower-cased email; locked for the caller's transaction with forUpdate. */
export async function findUserByEmail(sql: Sql, email: string, { forUpdate = false } = {}): Promise<UserRow | null> {
  const rows = await sql.unsafe<UserRow[]>(
    `select ${USER_COLUMNS} from auth.users u where lower(u.email) = $1 and u.is_sso_user = false
     ${forUpdate ? "for update" : ""}`,
    [email],
  );
  return rows[0] ?? null;
}

/**
 * A new, unconfirmed email + password user with its email identity, as GoTrue's signup and admin
 * create them: the identity's claims (sub, email, email_verified, phone_verified) are merged into
 * the user metadata.
 */
export async function insertEmailUser(
  tx: Sql,
  fields: { email: string; password: string; userMetadata: Record<string, unknown>; appMetadata?: Record<string, unknown> },
): Promise<UserRow> {
  const id = crypto.randomUUID();
  const identityData = { sub: id, email: fields.email, email_verified: false, phone_verified: false };
  const userMetadata = { ...fields.userMetadata, ...identityData };
  const appMetadata = { provider: "email", providers: ["email"], ...(fields.appMetadata ?? {}) };
  await tx`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                            created_at, updated_at, is_anonymous)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${fields.email},
            extensions.crypt(${fields.password}, extensions.gen_salt('bf', 10)),
            ${tx.json(appMetadata as never)}, ${tx.json(userMetadata as never)}, now(), now(), false)`;
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
    values (${id}, ${id}, ${tx.json(identityData)}, 'email', now(), now())`;
  return (await findUserById(tx, id))!;
}

/**
 * Marks the email confirmed, as GoTrue's User.Confirm: the confirmation link is spent and
 * email_verified becomes true in the user's metadata and on the identity with that email.
 */
export async function confirmUser(tx: Sql, user: UserRow): Promise<UserRow> {
  await tx`
    update auth.users
    set email_confirmed_at = now(), confirmation_token = '',
        raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
    where id = ${user.id}`;
  await tx`
    update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
    where user_id = ${user.id} and email = lower(${user.email ?? ""})`;
  return (await findUserById(tx, user.id))!;
}

/** The user with this (already lower-cased) email and whether the password matches its bcrypt hash. */
export async function findUserForPassword(
  sql: Sql,
  email: string,
  password: string,
): Promise<{ user: UserRow; passwordOk: boolean } | null> {
  const rows = await sql.unsafe<Array<UserRow & { password_ok: boolean }>>(
    `select ${USER_COLUMNS},
       case when u.encrypted_password like '$2%'
            then u.encrypted_password = extensions.crypt($2, u.encrypted_password)
            else false end as password_ok
     from auth.users u
     where lower(u.email) = $1 and u.is_sso_user = false`,
    [email, password],
  );
  if (rows.length === 0) {
    // Spend the same bcrypt time as a real check, so response times do not tell which emails exist.
    await sql`select extensions.crypt(${password}, '$2a$10$abcdefghijklmnopqrstuu') as burn`;
    return null;
  }
  const { password_ok, ...user } = rows[0];
  return { user, passwordOk: password_ok };
}

export async function identitiesOf(sql: Sql, userId: string): Promise<IdentityRow[]> {
  return await sql<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
    from auth.identities where user_id = ${userId} order by created_at, id`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

/** The user object of /user, /signup and sessions; `omitempty` fields left out when empty, as Go does. */
export function userJson(user: UserRow, identities: IdentityRow[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: user.phone ?? "",
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map((i) => ({
      identity_id: i.id,
      id: i.provider_id,
      user_id: i.user_id,
      identity_data: i.identity_data,
      provider: i.provider,
      last_sign_in_at: iso(i.last_sign_in_at),
      created_at: iso(i.created_at),
      updated_at: iso(i.updated_at),
      email: i.email ?? undefined,
    })),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: user.banned_until && user.banned_until > new Date() ? iso(user.banned_until) : undefined,
    is_anonymous: user.is_anonymous,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}
