/**
 * Name lookup shared by every registry (optimizers, activations, losses, layers...): identifiers
 * match case-insensitively and ignore `_` and `-`, so `'categorical_crossentropy'`,
 * `'categoricalCrossentropy'` and `'CategoricalCrossentropy'` are one name.
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** Levenshtein distance, for suggesting the closest valid name. */
function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The valid name closest to `given` (compared after normalizing), or undefined when nothing is close. */
export function closestName(given: string, valid: readonly string[]): string | undefined {
  const g = normalizeName(given);
  let best: string | undefined;
  let bestDist = Infinity;
  for (const name of valid) {
    const d = editDistance(g, normalizeName(name));
    if (d < bestDist) {
      bestDist = d;
      best = name;
    }
  }
  return bestDist <= Math.max(2, Math.floor(g.length / 3)) ? best : undefined;
}

/**
 * The error for an unknown identifier: names what was looked up, lists every valid name and
 * suggests the closest, e.g. `Unknown optimizer 'adma'. Did you mean 'adam'? Valid names: sgd, adam, ...`.
 */
export function unknownNameError(kind: string, given: string, valid: readonly string[]): Error {
  const guess = closestName(given, valid);
  const hint = guess !== undefined ? ` Did you mean '${guess}'?` : '';
  return new Error(`Unknown ${kind} '${given}'.${hint} Valid names: ${valid.join(', ')}`);
}
