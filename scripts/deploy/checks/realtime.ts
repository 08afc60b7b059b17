// The supabase_realtime publication has the tables the SPA follows live (added by migration
// 20261129001500_realtime.sql; on Supabase this is what Database -> Publications shows).
import { type Check, fail, pass } from "../lib/context.ts";
import { REALTIME_TABLES } from "../lib/repo.ts";

export const realtimeCheck: Check = {
  id: "realtime",
  title: "Realtime publication has the tables",
  async run(ctx) {
    const sql = await ctx.db();
    const [publication] = await sql<{ pubinsert: boolean; pubupdate: boolean; pubdelete: boolean; tables: string[] }[]>`
      select p.pubinsert, p.pubupdate, p.pubdelete,
             array(select t.tablename::text from pg_catalog.pg_publication_tables t
                   where t.pubname = p.pubname and t.schemaname = 'public' order by 1) as tables
      from pg_catalog.pg_publication p where p.pubname = 'supabase_realtime'`;
    if (!publication) {
      return fail("there is no publication supabase_realtime (Supabase creates it; is this a Supabase database?)");
    }
    const missing = REALTIME_TABLES.filter((t) => !publication.tables.includes(t));
    const actions = ["insert", "update", "delete"].filter((a) => !publication[`pub${a}` as "pubinsert"]);
    if (missing.length > 0 || actions.length > 0) {
      return fail(
        [
          missing.length > 0 ? `${missing.map((t) => `public.${t}`).join(", ")} not in supabase_realtime` : "",
          actions.length > 0 ? `the publication does not publish ${actions.join(", ")}` : "",
        ].filter(Boolean).join("; "),
        missing.map((t) => `alter publication supabase_realtime add table public.${t};`),
      );
    }
    return pass(
      `supabase_realtime publishes ${REALTIME_TABLES.map((t) => `public.${t}`).join(", ")} (insert, update, delete)`,
    );
  },
};
