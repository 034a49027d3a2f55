/**
 * Decodes a CFFILE DOS date and time (date: bits 15–9 year − 1980, 8–5 month, 4–0 day; time: bits
 * 15–11 hour, 10–5 minute, 4–0 second / 2). gcab writes UTC whatever the time zone, so the value is
 * taken as UTC. Returns null for 0/0 (fwupd's build-cabinet) and for any impossible date or time.
 */
export function decodeDosDateTime(date: number, time: number): Date | null {
  if (date === 0 && time === 0) return null;
  const year = 1980 + (date >>> 9);
  const month = (date >>> 5) & 0x0f;
  const day = date & 0x1f;
  const hour = time >>> 11;
  const minute = (time >>> 5) & 0x3f;
  const second = (time & 0x1f) * 2;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 58) return null;
  const value = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31 February over into March: reject instead.
  if (value.getUTCMonth() !== month - 1 || value.getUTCDate() !== day) return null;
  return value;
}
