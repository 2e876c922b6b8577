// CSV files handed to people open in spreadsheets, which run a cell starting with = + - @ (or a tab or
// carriage return before one) as a formula: "CSV injection". Such text cells get a leading apostrophe,
// which spreadsheets show as plain text. Plain numbers and E.164 phones (+62812…) cannot run anything
// and are kept as they are, so the files still read back.
const RISKY = /^[=+\-@\t\r]/;
const HARMLESS = /^[+-]?\d+$/;

export function spreadsheetSafe<T>(value: T): T | string {
  return typeof value === 'string' && RISKY.test(value) && !HARMLESS.test(value) ? `'${value}` : value;
}
