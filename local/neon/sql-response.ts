import type { ServerResponse } from "node:http";
import pg from "pg";
import { pgTextToJson } from "./pg-text";
import { HttpError, ISOLATION_LEVELS, type RequestFlags } from "./sql-request";

const ERROR_FIELDS = [
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "severity",
  "where",
  "table",
  "column",
  "schema",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** Shapes a text-mode result as Neon does: `{command, rowCount, rows, fields, rowAsArray}`. */
export function formatResult(result: pg.QueryArrayResult<Array<string | null>>, arrayMode: boolean, rawTextOutput: boolean) {
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }));
  const rows = result.rows.map((row) => {
    const values = row.map((value, i) => (value === null || rawTextOutput ? value : pgTextToJson(value, fields[i]?.dataTypeID ?? 25)));
    return arrayMode ? values : Object.fromEntries(fields.map((field, i) => [field.name, values[i]]));
  });
  return { command: result.command, rowCount: result.rowCount, rows, fields, rowAsArray: arrayMode };
}

/** Neon's error body (every field present, `null` when unknown; `code`/`severity` `""` for non-Postgres errors) and status: 400 for Postgres errors. */
export function errorResponse(error: unknown): { status: number; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { message: error instanceof Error ? error.message : String(error) };
  for (const field of ERROR_FIELDS) body[field] = null;
  body.code = "";
  body.severity = "";
  if (error instanceof pg.DatabaseError) {
    const source = error as unknown as Record<string, unknown>;
    for (const field of ERROR_FIELDS) body[field] = source[field] ?? body[field];
    return { status: 400, body };
  }
  return { status: error instanceof HttpError ? error.status : 500, body };
}

/** The transaction headers Neon echoes on a batch response. */
export function batchHeaders(flags: RequestFlags): Record<string, string> {
  const headers: Record<string, string> = {};
  if (flags.readOnly) headers["Neon-Batch-Read-Only"] = "true";
  if (flags.deferrable) headers["Neon-Batch-Deferrable"] = "true";
  const level = Object.entries(ISOLATION_LEVELS).find(([, sql]) => sql === flags.isolationLevel)?.[0];
  if (level) headers["Neon-Batch-Isolation-Level"] = level;
  return headers;
}

/** Writes a JSON response with Neon's CORS header. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Access-Control-Allow-Origin": "*",
    ...headers,
  });
  res.end(text);
}
