/** An upstream answered 2xx with a body the adapter cannot read; rendered as a 502 upstream_error. */
export class MalformedUpstreamResponse extends Error {
  constructor(what: string) {
    super(`Malformed upstream response: ${what}`);
    this.name = "MalformedUpstreamResponse";
  }
}
