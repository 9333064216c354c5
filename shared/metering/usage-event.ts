import type { NewUsageEvent } from "../../schema";

/** A usage event as buffered in the Redis stream: the usage_events row, with the time as ISO text. */
export type UsageEventJson = Omit<NewUsageEvent, "createdAt"> & { createdAt: string };

/** The row to insert for a buffered event. */
export function toRow(event: UsageEventJson): NewUsageEvent {
  return { ...event, createdAt: new Date(event.createdAt) };
}

/** Redis key (after the prefix) of the usage stream. */
export const USAGE_STREAM = "usage:stream";
