import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files known to take minutes on their own, whatever their size. */
const LONG = ['test/runner/demo-playbooks.test.ts'];

/**
 * Vitest's order (by the last run's durations, else by file size, the largest first), with the
 * files known to be long moved to the front: a fresh clone has no durations, and the small file
 * that runs the demo playbooks' checks for minutes would otherwise start last, on one worker
 * while the other waits.
 */
export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLong = (file: TestSpecification) => LONG.some((name) => file.moduleId.endsWith(name));
    return [...sorted.filter(isLong), ...sorted.filter((file) => !isLong(file))];
  }
}
