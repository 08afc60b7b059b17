// Calls the fake Apollo's admin API (/__admin/..., see README.md) from tests, the bench and the soak.

/** A function calling the admin API of the fake at baseUrl: the answer's JSON, or an error saying what failed. */
export function fakeApolloAdmin(baseUrl: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}/__admin/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fake Apollo admin ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}
