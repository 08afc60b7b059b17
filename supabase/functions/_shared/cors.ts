// CORS for functions the browser calls. On Supabase, functions answer CORS themselves.
export const corsHeaders: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type, x-supabase-api-version",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Max-Age": "3600",
  // so a page can read how long a 429 asks it to wait
  "Access-Control-Expose-Headers": "Retry-After",
};
