// Numbers are never silently wrong: no int64 made by wrapping, int64 values
// beyond 2^53 exact in and out (bigint), integer scalars exact up to 2^63.
import * as torch from '../lib';

describe('numbers', () => {
  test('a number beyond int64 never wraps: torch.tensor([1e20]) is a float tensor holding 1e20', () => {
    const t = torch.tensor([1e20]);
    expect(t.dtype).toBe('float32');
    expect(t.item()).toBeCloseTo(1e20, -14);
    expect(torch.tensor([1e20, 1]).dtype).toBe('float32');
    expect(() => torch.tensor([1e20], { dtype: 'int64' })).toThrow(/at index 0 does not fit in int64/);
    expect(() => torch.tensor([2 ** 40], { dtype: 'int32' })).toThrow(/does not fit in int32/);
    expect(() => torch.tensor([300], { dtype: 'uint8' })).toThrow(/does not fit in uint8/);
    expect(torch.tensor([2 ** 31 - 1], { dtype: 'int32' }).item()).toBe(2 ** 31 - 1);
  });

  test('integral numbers above 2^53 that int64 holds stay exact integers', () => {
    const t = torch.tensor([2 ** 60]);
    expect(t.dtype).toBe('int64');
    expect(t.item({ bigint: true })).toBe(2n ** 60n);
  });

  test('bigints and BigInt64Array are accepted wherever an int64 is', () => {
    const big = 2n ** 62n + 1n;
    const t = torch.tensor([big, -big, 5n]);
    expect(t.dtype).toBe('int64');
    expect(t.tolist({ bigint: true })).toEqual([big, -big, 5n]);
    const fromTyped = torch.tensor(BigInt64Array.from([big, 1n]));
    expect(fromTyped.tolist({ bigint: true })).toEqual([big, 1n]);
    expect(torch.full([2], big).tolist({ bigint: true })).toEqual([big, big]);
    expect(() => torch.tensor([2n ** 63n])).toThrow(/does not fit in int64/);
    // an int argument of an operator
    expect(torch.arange(10).narrow(0, 2n as unknown as number, 3n as unknown as number).tolist()).toEqual([2, 3, 4]);
  });

  test('item() and tolist() of int64 values beyond 2^53 are exact or refused, never rounded', () => {
    const big = 2n ** 53n + 1n; // 9007199254740993 has no exact number
    const t = torch.tensor([big]);
    expect(() => t.item()).toThrow(expect.objectContaining({ name: 'RangeError' }));
    expect(() => t.item()).toThrow(/9007199254740993.*item\(\{ bigint: true \}\)/);
    expect(t.item({ bigint: true })).toBe(big);
    expect(() => t.tolist()).toThrow(/tolist\(\{ bigint: true \}\)/);
    expect(t.tolist({ bigint: true })).toEqual([big]);
    expect(torch.tensor([7]).item({ bigint: true })).toBe(7n);
    expect(torch.tensor([2 ** 53 - 1]).item()).toBe(2 ** 53 - 1);
  });

  test('printing an int64 tensor is exact', () => {
    const big = 2n ** 60n + 1n;
    expect(String(torch.tensor([big, 1n]))).toBe('tensor([1152921504606846977,                   1])');
  });

  test('an int64 tensor plus 2**60 stays int64 and exact; plus 1e20 or 0.5 becomes float, as in Python', () => {
    const t = torch.tensor([1, 2]);
    const s = t.add(2 ** 60);
    expect(s.dtype).toBe('int64');
    expect(s.tolist({ bigint: true })).toEqual([2n ** 60n + 1n, 2n ** 60n + 2n]);
    expect(t.add(2n ** 62n).tolist({ bigint: true })).toEqual([2n ** 62n + 1n, 2n ** 62n + 2n]);
    expect(t.add(1e20).dtype).toBe('float32');
    expect(t.add(0.5).dtype).toBe('float32');
    expect(() => t.add(2n ** 64n)).toThrow(/outside the int64 range/);
  });

  test('integer scalars are exact up to 2^63: full, fill_ and comparisons', () => {
    const near = 2n ** 63n - 1n;
    expect(torch.full([1], near).item({ bigint: true })).toBe(near);
    expect(torch.tensor([near]).eq(near as unknown as number).item()).toBe(true);
    expect(torch.tensor([near - 1n]).eq(near as unknown as number).item()).toBe(false);
  });
});
