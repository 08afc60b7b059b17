Deno.serve((_req) => new Response(JSON.stringify({ success: true, placeholder: true }), { headers: { "content-type": "application/json" } }));
