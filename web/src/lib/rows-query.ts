// The query of a few rows a page lists in full (an account's contacts and jobs, the latest imports):
// the rows as the request answers them, or what went wrong in words.
import { queryOptions, type QueryKey } from "@tanstack/react-query";
import { unwrap } from "./errors";

export const rowsQuery = <Row>(queryKey: QueryKey, fetchRows: () => PromiseLike<{ data: Row[] | null; error: unknown }>) =>
  queryOptions({
    queryKey,
    queryFn: async (): Promise<Row[]> => unwrap(await fetchRows()),
  });
