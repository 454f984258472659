/** Today in China (UTC+8) as YYYY-MM-DD, whatever the browser's time zone: the day the law counts in. */
export const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
