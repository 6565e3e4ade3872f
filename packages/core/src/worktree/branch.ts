import { AppError } from '../errors/index.js';
import { gitOrNull } from './git.js';

// Stricter than git on purpose: names that are also safe as directory names.
const BRANCH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,199}$/;

/** Refuses branch names git would refuse, and anything that could escape a directory. */
export async function validateBranchName(name: string, repoPath: string): Promise<void> {
  const bad =
    !BRANCH_PATTERN.test(name) ||
    name.includes('..') ||
    name.includes('//') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.split('/').some((part) => part.startsWith('.') || part === '');
  if (bad) {
    throw new AppError(
      'invalid_input',
      `branch: ${JSON.stringify(name)} is not a valid branch name (letters, digits, . _ - /; no "..", no leading "-" or ".")`,
    );
  }
  if ((await gitOrNull(repoPath, ['check-ref-format', '--branch', name])) === null) {
    throw new AppError('invalid_input', `branch: git does not accept ${JSON.stringify(name)} as a branch name`);
  }
}
