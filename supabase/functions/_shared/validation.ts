// zod at the boundary: a failed parse becomes a 400 listing what is wrong with which field.
import { z } from "zod";
import { HttpError } from "./http.ts";

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what = "request"): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, `Invalid ${what}: ${describeIssues(result.error)}`, z.flattenError(result.error));
  }
  return result.data;
}
