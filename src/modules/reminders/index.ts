export { scanExpiry, type ExpiryRow } from './reminders.scan.ts';
export { registerReminderCommands } from './reminders.cli.ts';
