/** An error answered as `{"error": message, "status": status}` with that HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Shorthand for a 400 Bad Request. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}
