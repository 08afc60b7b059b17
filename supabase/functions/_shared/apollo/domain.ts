// Apollo wants a bare domain ("apollo.io"): the product's one domain rule (../domain.ts).
export { isValidDomain, normalizeDomain } from "../domain.ts";
