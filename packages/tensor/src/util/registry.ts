import { normalizeName, unknownNameError } from './names.js';

/** Options of `NameRegistry.register`. */
export interface RegisterOptions {
  /**
   * Whether `list()` shows the name (default true). An unlisted name still resolves: the old
   * spellings a saved file may hold (`'zero'` for `'zeros'`) are registered this way.
   */
  listed?: boolean;
  /** The public function that registers, named in errors (default `'register'`). */
  fn?: string;
  /**
   * When set, the value must be a function, and this word names it in the error:
   * `'factory'` → `registerLoss: factory for 'myLoss' must be a function, got number`.
   */
  callable?: string;
}

/** One name a registry knows: the spelling it was registered under, and its value. */
export interface RegistryEntry<T> {
  /** The name as registered (`'glorotUniform'`, `'Dense'`); lookups may spell it otherwise. */
  readonly name: string;
  /** What the name stands for: a factory, a class or an object. */
  readonly value: T;
}

interface Slot<T> extends RegistryEntry<T> {
  readonly listed: boolean;
}

/**
 * A table from names to values (factories, classes, objects) with the lookup rules every Descent
 * registry follows: activations, initializers, constraints, regularizers, losses, metrics and
 * layer classes in `@descent/layers`, optimizers and learning-rate schedules in `@descent/optimizers`.
 *
 * **Lookup.** Names compare after `normalizeName`: case-insensitively, ignoring `_` and `-`, so
 * `'categorical_crossentropy'`, `'categoricalCrossentropy'` and `'CategoricalCrossentropy'` are one
 * name. An unknown name throws `unknownNameError(kind, given, list())`: `Unknown <kind> '<given>'.`,
 * the closest known name, and every listed name.
 *
 * **Registering.** Registering a name that is already known (in any spelling) replaces its value
 * and spelling but keeps its place in `list()`; a new name goes last. Built-ins may be given as a
 * function that runs on first use, for tables whose values come from modules that import the
 * registry (the layer classes).
 *
 * **Naming convention for the functions a package exports around a registry of kind `Kind`:**
 * `get<Kind>(identifier)` resolves a name, a `{ className, config }` spec or an instance;
 * `list<Kinds>()` returns the listed names; `register<Kind>(name, value)` adds or replaces one;
 * `serialize<Kind>` / `deserialize<Kind>` convert to and from the saved `{ className, config }`.
 * Listed names are camelCase for functions and options (`'glorotUniform'`, `'meanSquaredError'`)
 * and the Keras class name for classes (`'Dense'`, `'L1L2'`). A package that holds one kind only
 * (`@descent/optimizers`) may also export the short verbs `get`, `list`, `register`.
 */
export class NameRegistry<T> {
  /** What the registry holds, as error messages name it (`'loss'`, `'layer class'`). */
  readonly kind: string;
  private readonly slots = new Map<string, Slot<T>>();
  private builtins: (() => Iterable<readonly [string, T]>) | null;

  /**
   * `kind` names the registry in error messages. `builtins`, when given, supplies the first
   * entries on first use (before any `register` takes effect).
   */
  constructor(kind: string, builtins?: () => Iterable<readonly [string, T]>) {
    this.kind = kind;
    this.builtins = builtins ?? null;
  }

  private table(): Map<string, Slot<T>> {
    const load = this.builtins;
    if (load !== null) {
      this.builtins = null;
      for (const [name, value] of load()) this.put(name, value, true);
    }
    return this.slots;
  }

  private put(name: string, value: T, listed: boolean): void {
    this.slots.set(normalizeName(name), { name, value, listed });
  }

  /**
   * Make `name` (in any spelling) resolve to `value`, replacing what it resolved to before. A name
   * that is not a non-empty string (after dropping `_` and `-`) is refused first, then a value that
   * is not a function where `options.callable` asks for one.
   */
  register(name: string, value: T, options: RegisterOptions = {}): void {
    this.check(name, value, options);
    this.table();
    this.put(name, value, options.listed ?? true);
  }

  /**
   * Throw what `register(name, value, options)` would throw, without registering: for a caller that
   * stores something built from `value` rather than `value` itself.
   */
  check(name: unknown, value: unknown, options: RegisterOptions = {}): void {
    const fn = options.fn ?? 'register';
    if (typeof name !== 'string' || normalizeName(name) === '') throw new Error(`${fn}: name must be a non-empty string, got ${String(name)}`);
    if (options.callable !== undefined && typeof value !== 'function') {
      throw new Error(`${fn}: ${options.callable} for '${name}' must be a function, got ${typeof value}`);
    }
  }

  /** Whether `name` resolves (any spelling, listed or not). */
  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** The entry `name` resolves to, or undefined (also for a `name` that is not a string). */
  find(name: string): RegistryEntry<T> | undefined {
    if (typeof name !== 'string') return undefined;
    const slot = this.table().get(normalizeName(name));
    return slot === undefined ? undefined : { name: slot.name, value: slot.value };
  }

  /** The entry `name` resolves to; an unknown name throws `Unknown <kind> '<name>'…` with the known names. */
  resolve(name: string): RegistryEntry<T> {
    const entry = this.find(name);
    if (entry === undefined) throw unknownNameError(this.kind, String(name), this.list());
    return entry;
  }

  /** The value `name` resolves to; an unknown name throws as `resolve` does. */
  get(name: string): T {
    return this.resolve(name).value;
  }

  /** The listed names, as registered, in registration order. */
  list(): string[] {
    const out: string[] = [];
    for (const slot of this.table().values()) if (slot.listed) out.push(slot.name);
    return out;
  }
}
