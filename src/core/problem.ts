/**
 * A finding about the machine or a device that does not stop the command: shown in human output
 * and as `problems[]` in JSON. `code` is stable kebab-case; `hint` says what to do.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  hint: string;
}

export function problem(code: string, severity: Severity, message: string, hint: string): Problem {
  return { code, severity, message, hint };
}
