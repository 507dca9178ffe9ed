import type { z } from 'zod';
import { scenarioSchema } from './schema.js';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  options?: AnySchema[];
  valueType?: AnySchema;
  element?: AnySchema;
  items?: AnySchema[];
}

function def(s: AnySchema): Def {
  return (s as unknown as { def: Def }).def;
}

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  while (def(cur).type === 'optional' || def(cur).type === 'nullable' || def(cur).type === 'default') cur = def(cur).innerType!;
  return cur;
}

/** Picks the object schema of a union that matches the value's `type`, or any object option. */
function objectOption(s: AnySchema, value: unknown): AnySchema | undefined {
  const d = def(s);
  if (d.type === 'object') return s;
  if (d.type !== 'union') return undefined;
  const objects = d.options!.map(unwrap).filter((o) => def(o).type === 'object');
  const type = value && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  const match = objects.find((o) => {
    const t = def(o).shape?.type;
    const values = t ? (def(unwrap(t)) as unknown as { values?: unknown[] }).values : undefined;
    return values?.includes(type);
  });
  return match ?? objects[0];
}

/** The schema at a key path (for the sweep keys and for suggestions), given the data there. */
export function schemaAt(path: readonly (string | number)[], data: unknown): AnySchema | undefined {
  let s: AnySchema = scenarioSchema;
  let v = data;
  for (const seg of path) {
    const obj = objectOption(unwrap(s), v);
    if (!obj) return undefined;
    const child = def(obj).shape?.[String(seg)];
    if (!child) return undefined;
    s = unwrap(child);
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[String(seg)] : undefined;
  }
  return s;
}

/** Keys allowed in the object at a path: the candidates for "did you mean". */
export function allowedKeysAt(path: readonly (string | number)[], data: unknown): string[] {
  const s = schemaAt(path, data);
  let v = data;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[String(seg)] : undefined;
  const obj = s ? objectOption(unwrap(s), v) : undefined;
  return obj ? Object.keys(def(obj).shape ?? {}) : [];
}

/** All dotted key paths that a sweep may set (leaves of the scenario schema). */
export function sweepablePaths(): string[] {
  const out: string[] = [];
  const walk = (s: AnySchema, prefix: string): void => {
    const u = unwrap(s);
    const d = def(u);
    if (d.type === 'object') {
      for (const [k, child] of Object.entries(d.shape ?? {})) if (k !== 'sweep' && k !== 'name') walk(child, prefix ? `${prefix}.${k}` : k);
      return;
    }
    if (d.type === 'union' && d.options!.map(unwrap).some((o) => def(o).type === 'object')) {
      for (const o of d.options!) walk(o, prefix);
      if (!out.includes(prefix)) out.push(prefix);
      return;
    }
    if (!out.includes(prefix)) out.push(prefix);
  };
  walk(scenarioSchema, '');
  return out;
}
