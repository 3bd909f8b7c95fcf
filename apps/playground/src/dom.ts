// Small DOM helpers: every control is built with a visible <label> bound to it.
let ids = 0;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

export function uid(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled field: `<div class="field"><label for>…</label>control</div>`. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLDivElement {
  if (control.id === '') control.id = uid('f');
  const wrap = el('div', { class: control instanceof HTMLInputElement && control.type === 'checkbox' ? 'field check' : 'field' });
  const l = el('label', { for: control.id, text: label });
  if (hint !== undefined) l.title = hint;
  wrap.append(l, control);
  return wrap;
}

export function numberInput(value: number | null, attrs: Record<string, string> = {}): HTMLInputElement {
  const i = el('input', { type: 'number', step: 'any', inputmode: 'decimal', ...attrs });
  i.value = value === null ? '' : String(value);
  return i;
}

export function select(options: readonly (readonly [string, string])[], value: string, attrs: Record<string, string> = {}): HTMLSelectElement {
  const s = el('select', attrs);
  for (const [v, text] of options) s.append(el('option', { value: v, text }));
  s.value = value;
  return s;
}

export function button(text: string, attrs: Record<string, string> = {}): HTMLButtonElement {
  return el('button', { type: 'button', ...attrs, text });
}
