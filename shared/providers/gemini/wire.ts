/**
 * The slice of the Gemini API (`v1beta`) wire format the adapter reads and writes. Field names are
 * Google's REST (camelCase JSON) names; everything is optional on the way in because the adapter
 * never trusts an upstream body's shape.
 */

export type GeminiPart = {
  text?: string;
  /** A thought summary (only with `thinkingConfig.includeThoughts`); never shown as content. */
  thought?: boolean;
  /** Opaque reasoning state Gemini 3 requires back on the function-call turn that carried it. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: { name: string; args?: Record<string, unknown> };
  functionResponse?: { name: string; response: Record<string, unknown> };
};

export type GeminiContent = { role: "user" | "model"; parts: GeminiPart[] };

type LogprobCandidate = { token?: string; logProbability?: number };

export type GeminiCandidate = {
  index?: number;
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  logprobsResult?: { chosenCandidates?: LogprobCandidate[]; topCandidates?: Array<{ candidates?: LogprobCandidate[] }> };
};

export type GeminiUsage = {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
};

/** One `generateContent` answer, or one `streamGenerateContent?alt=sse` event (a partial one). */
export type GenerateContentResponse = {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  modelVersion?: string;
  responseId?: string;
};

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
