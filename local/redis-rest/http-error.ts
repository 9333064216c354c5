/** A request the stand-in refuses before (or instead of) asking Redis; `message` goes out as `{"error"}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}
