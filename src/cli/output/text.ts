import { styleText } from 'node:util';
import type { Problem } from '../../core/problem.js';
import type { Io } from '../io.js';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const plain: Style = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t };

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function chooseStyle(io: Io, stream: 'stdout' | 'stderr'): Style {
  const tty = io[stream].isTTY === true;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  if (!tty || noColor || io.env.TERM === 'dumb') return plain;
  return {
    bold: (t) => styleText('bold', t),
    dim: (t) => styleText('dim', t),
    red: (t) => styleText('red', t),
    yellow: (t) => styleText('yellow', t),
    green: (t) => styleText('green', t),
  };
}

/** Left-aligned columns separated by two spaces; no trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], style: Style): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...rows.map(line)].join('\n');
}

export function formatProblem(p: Problem, style: Style, indent = '  '): string {
  const label =
    p.severity === 'error' ? style.red('error') : p.severity === 'warning' ? style.yellow('warning') : 'note';
  return `${indent}${label}: ${p.message} [${p.code}]\n${indent}  ${style.dim('fix:')} ${p.hint}`;
}
