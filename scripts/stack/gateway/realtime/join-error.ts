// A join Realtime refuses: its error reply's `reason` is "Code: message", e.g.
// "InvalidJWTToken: Token has expired 5 seconds ago".
export class JoinError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
  /** The `reason` of a join error reply: "Code: message". */
  get reason(): string {
    return `${this.code}: ${this.message}`;
  }
}
