/** Whether `x` is a Promise or another thenable (what an async function returns). */
export function isThenable(x: unknown): boolean {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
