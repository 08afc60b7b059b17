// Errors as auth-js hands them over: an AuthApiError with Supabase Auth's status, code and message.
export function authApiError(status: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { name: "AuthApiError", status, code });
}
