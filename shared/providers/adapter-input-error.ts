/**
 * A request the adapter cannot express for its provider (e.g. `n > 1` for Anthropic, tool-call
 * arguments that are not JSON). Rendered as a 400 `invalid_request` naming `param`.
 */
export class AdapterInputError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = "AdapterInputError";
  }
}
