/**
 * A client request the adapter cannot translate (a field the provider cannot honour, a malformed
 * value only the adapter parses). Adapters stay pure and know nothing of GatewayError: the HTTP
 * layer renders this as a 400 `invalid_request` with `param` set.
 * @example throw new AdapterInputError("n > 1 is not supported by Anthropic models", "n")
 */
export class AdapterInputError extends Error {
  constructor(
    message: string,
    /** The request field at fault, in OpenAI's notation, e.g. `messages[2].tool_calls[0].function.arguments`. */
    readonly param: string,
  ) {
    super(message);
    this.name = "AdapterInputError";
  }
}
