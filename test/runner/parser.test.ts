import { describe, expect, it } from 'vitest';
import { createEventLineParser, parseEventLine } from '../../src/runner/index.ts';
import type { RunnerEvent } from '../../src/runner/index.ts';

const line = (seq: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'runner_ok', seq, ts: '2025-01-01T00:00:00Z', ...extra }) + '\n';

describe('event line parser', () => {
  it('parses events across every possible chunk boundary', () => {
    const text = line(1, { msg: 'héllo ☃ 𝄞' }) + line(2) + line(3, { task: 'x'.repeat(300) });
    const bytes = Buffer.from(text);
    for (let a = 0; a <= bytes.length; a++) {
      for (const b of [a, Math.min(bytes.length, a + 1), Math.min(bytes.length, a + 7)]) {
        const p = createEventLineParser();
        const out: RunnerEvent[] = [
          ...p.push(bytes.subarray(0, a)),
          ...p.push(bytes.subarray(a, b)),
          ...p.push(bytes.subarray(b)),
          ...p.end(),
        ];
        expect(out.map((e) => ('seq' in e ? e.seq : -1))).toEqual([1, 2, 3]);
        expect((out[0] as { msg?: string }).msg).toBe('héllo ☃ 𝄞');
      }
    }
  });

  it('feeds byte by byte', () => {
    const bytes = Buffer.from(line(1) + line(2));
    const p = createEventLineParser();
    const out: RunnerEvent[] = [];
    for (const b of bytes) out.push(...p.push(Uint8Array.of(b)));
    out.push(...p.end());
    expect(out).toHaveLength(2);
  });

  it('turns a malformed line into a parse_error event and goes on', () => {
    const p = createEventLineParser();
    const out = [...p.push(line(1) + '{"type": "runner_ok", "seq": 2, trunc\n' + '\n' + '[1,2]\n' + line(3)), ...p.end()];
    expect(out.map((e) => e.type)).toEqual(['runner_ok', 'parse_error', 'parse_error', 'runner_ok']);
    const err = out[1]!;
    expect(err.type === 'parse_error' && err.line).toContain('trunc');
    expect(err.type === 'parse_error' && err.error.length).toBeGreaterThan(0);
  });

  it('redacts a bad line before cutting it to a snippet', () => {
    const secret = 'SECRET-' + 'k'.repeat(40);
    const bad = '{"broken": "' + 'a'.repeat(1000) + secret + '"\n';
    const p = createEventLineParser({ redact: (s) => s.split(secret).join('***') });
    const [err] = p.push(bad);
    expect(err?.type).toBe('parse_error');
    const text = JSON.stringify(err);
    expect(text).not.toContain('SECRET-');
    expect(text).not.toContain('kkkk');
    expect(err?.type === 'parse_error' && err.error).toMatch(/^invalid JSON/);
  });

  it('parses a last line without newline at end()', () => {
    const p = createEventLineParser();
    expect(p.push(line(1).trimEnd())).toEqual([]);
    expect(p.end().map((e) => e.type)).toEqual(['runner_ok']);
  });

  it('reports an incomplete last line as parse_error', () => {
    const p = createEventLineParser();
    p.push('{"type":"runner_ok","se');
    expect(p.end().map((e) => e.type)).toEqual(['parse_error']);
  });

  it('drops over-long lines with a parse_error, keeping later events', () => {
    const p = createEventLineParser({ maxLineBytes: 1000 });
    const out = [...p.push('x'.repeat(600)), ...p.push('y'.repeat(600)), ...p.push('z'.repeat(600) + '\n' + line(9)), ...p.end()];
    expect(out.map((e) => e.type)).toEqual(['parse_error', 'runner_ok']);
    expect(out[0]!.type === 'parse_error' && out[0]!.error).toMatch(/exceeds 1000 bytes/);
  });

  it('rejects objects without type, seq or ts, and a forged parse_error', () => {
    expect(parseEventLine('{"seq":1,"ts":"t"}').type).toBe('parse_error');
    expect(parseEventLine('{"type":"x","ts":"t"}').type).toBe('parse_error');
    expect(parseEventLine('{"type":"parse_error","seq":1,"ts":"t","line":"","error":""}').type).toBe('parse_error');
    expect(parseEventLine('{"type":"stats","seq":1,"ts":"t"}').type).toBe('stats');
  });

  it('parses fast', () => {
    const one = line(1, { task: 'Configure the modem', host: 'localhost', result: { changed: true, stdout: 'x'.repeat(200) } });
    const n = 50_000;
    const chunk = Buffer.from(one.repeat(1000));
    const p = createEventLineParser();
    const t0 = performance.now();
    let count = 0;
    for (let i = 0; i < n / 1000; i++) count += p.push(chunk).length;
    const ms = performance.now() - t0;
    expect(count).toBe(n);
    console.log(`parser: ${n} events (${one.length} B each) in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} events/s`);
  });
});
