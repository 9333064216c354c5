/**
 * Compares two secrets in constant time: both are hashed to SHA-256 first, so the comparison never
 * depends on where they differ nor leaks the expected length.
 * @example if (await secretsEqual(presented, env.ADMIN_TOKEN)) ...
 */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const encode = (s: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  const [a, b] = await Promise.all([encode(presented), encode(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
