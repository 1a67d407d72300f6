import type { Masker } from './mask.ts';

/**
 * Keeps the head and the tail of a run's output within a byte budget and
 * masks secrets. Masking happens at the end on whole text, so a secret split
 * across chunks is still found; each kept part carries an extra margin as wide
 * as the longest secret form, so a secret cut by the budget is masked before
 * the cut.
 */
export class LogCollector {
  readonly #headCap: number;
  readonly #tailCap: number;
  readonly #margin: number;
  readonly #masker: Masker;
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(limitBytes: number, masker: Masker) {
    const limit = Math.max(1024, Math.floor(limitBytes));
    this.#headCap = Math.floor(limit / 2);
    this.#tailCap = limit - this.#headCap;
    this.#margin = masker.maxBytes;
    this.#masker = masker;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    const headRoom = this.#headCap + this.#margin - this.#headBytes;
    if (headRoom > 0) {
      const part = rest.subarray(0, headRoom);
      this.#head.push(part);
      this.#headBytes += part.length;
      rest = rest.subarray(part.length);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    const keep = this.#tailCap + this.#margin;
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= keep) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  finish(): { text: string; truncated: boolean } {
    const head = Buffer.concat(this.#head);
    const tail = Buffer.concat(this.#tail);
    const kept = head.length + tail.length;
    if (kept === this.#total) {
      return { text: this.#masker.mask(Buffer.concat([head, tail]).toString('utf8')), truncated: false };
    }
    const maskedHead = Buffer.from(this.#masker.mask(head.toString('utf8')));
    const maskedTail = Buffer.from(this.#masker.mask(tail.subarray(Math.max(0, tail.length - this.#tailCap - this.#margin)).toString('utf8')));
    const h = maskedHead.subarray(0, this.#headCap).toString('utf8');
    const t = maskedTail.subarray(Math.max(0, maskedTail.length - this.#tailCap)).toString('utf8');
    const omitted = this.#total - this.#headCap - this.#tailCap;
    return { text: `${h}\n[... ${omitted} bytes of output omitted ...]\n${t}`, truncated: true };
  }
}
