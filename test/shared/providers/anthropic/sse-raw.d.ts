/** Vite's `?raw` suffix: the file's text (used for the recorded-style `.sse` fixtures). */
declare module "*.sse?raw" {
  const text: string;
  export default text;
}
