import type { UsageReport } from "../../../shared/storage/postgres/usage-report";

/**
 * Runs the gateway's cron (which flushes buffered usage) until `GET /v1/usage` for this key counts
 * `requests` requests, or throws after `timeoutMs`. Metering happens after each response, so a
 * report read right after the load may still miss the last events.
 */
export async function flushUntil(
  gatewayUrl: string,
  apiKey: string,
  requests: number,
  query = "",
  timeoutMs = 10_000,
): Promise<UsageReport> {
  const deadline = Date.now() + timeoutMs;
  let report: UsageReport | undefined;
  while (Date.now() < deadline) {
    await fetch(`${gatewayUrl}/__scheduled?cron=*+*+*+*+*`);
    const res = await fetch(`${gatewayUrl}/v1/usage${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
    report = (await res.json()) as UsageReport;
    if (report.totals?.requests === requests) return report;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`usage never reached ${requests} requests: ${JSON.stringify(report?.totals)}`);
}
