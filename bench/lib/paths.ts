// Where the benches live and write: the repository, bench/, its playbooks and its results.
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const benchDir = path.join(repoRoot, 'bench');
export const benchPlaybooksDir = path.join(benchDir, 'playbooks');
export const resultsDir = path.join(benchDir, 'results');
