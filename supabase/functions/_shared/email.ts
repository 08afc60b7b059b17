// What an email address is, once for the product: the same pattern as the database's CHECK on
// contacts.email (email_rule_test compares them). Deliberately loose: something@something.tld;
// whether the mailbox exists is for the mail server to say. Plain TypeScript, no imports.
export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function isValidEmail(email: string): boolean {
  return EMAIL_PATTERN.test(email);
}
