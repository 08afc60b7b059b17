// The query of the record a page is about (an account, an import): its one row by id. No such row
// (deleted, or hidden by RLS in another workspace) is a 404 that says `notFound`, and a 404 is not
// asked again.
import { queryOptions, type QueryKey } from "@tanstack/react-query";
import { retryUnlessNotFound, unwrapFound } from "./errors";

export const recordQuery = <Row>(
  queryKey: QueryKey,
  fetchRow: () => PromiseLike<{ data: Row | null; error: unknown }>,
  notFound: { message: string; hint: string },
) =>
  queryOptions({
    queryKey,
    queryFn: async (): Promise<Row> => unwrapFound(await fetchRow(), notFound.message, notFound.hint),
    retry: retryUnlessNotFound,
  });
