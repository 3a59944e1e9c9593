/**
 * Label processing: a sample's JSON entry to its target, as the task declares it. Mirrors the
 * X-ARES `label_processor` lambdas, with an error naming the sample instead of a KeyError.
 */
import type { TaskLabels } from '../../schemas/task.ts';
import { DataError } from '../errors.ts';

export interface FrameEvent {
  /** Seconds. */
  readonly start: number;
  readonly end: number;
  /** Class indices active during the event. */
  readonly classes: readonly number[];
}

export type SampleTarget =
  | { readonly kind: 'class'; readonly index: number }
  | { readonly kind: 'multi'; readonly indices: readonly number[] }
  | { readonly kind: 'events'; readonly events: readonly FrameEvent[] }
  | { readonly kind: 'captions'; readonly captions: readonly string[] }
  | { readonly kind: 'transcript'; readonly text: string };

type ClassSet = {
  readonly classes: readonly string[];
  readonly values?: readonly (string | number)[] | undefined;
};

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function isRecord(json: unknown): json is Record<string, unknown> {
  return json !== null && typeof json === 'object' && !Array.isArray(json);
}

function expectObject(json: unknown, where: string): Record<string, unknown> {
  if (!isRecord(json)) {
    throw new DataError(
      `${where}: the label JSON must be an object (got ${Array.isArray(json) ? 'a list' : typeof json})`,
    );
  }
  return json;
}

/** Index of `value` among the raw values (or class names); -1 when absent. */
function indexOfValue(set: ClassSet, value: unknown): number {
  const raw = set.values ?? set.classes;
  return typeof value === 'string' || typeof value === 'number' ? raw.indexOf(value) : -1;
}

function unknownValue(set: ClassSet, field: string, value: unknown, where: string): DataError {
  const raw = set.values ?? set.classes;
  const examples = raw.slice(0, 8).map((entry) => JSON.stringify(entry));
  return new DataError(
    `${where}: label field "${field}" is ${describe(value)}, which is not a class of this task`,
    {
      hint: `expected one of ${examples.join(', ')}${raw.length > 8 ? `, ... (${raw.length} classes)` : ''}`,
    },
  );
}

function finiteSeconds(value: unknown, field: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new DataError(
      `${where}: event field "${field}" is ${describe(value)}; expected seconds (a number >= 0)`,
    );
  }
  return value;
}

/** The target of one sample, or a DataError naming `where`, the field and the bad value. */
export function parseTarget(labels: TaskLabels, json: unknown, where: string): SampleTarget {
  switch (labels.kind) {
    case 'single': {
      const object = expectObject(json, where);
      let value = object[labels.key];
      if (labels.parse === 'integer' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
        value = Number.parseInt(value, 10);
      }
      const index = indexOfValue(labels, value);
      if (index >= 0) {
        return { kind: 'class', index };
      }
      if (labels.otherwise !== undefined && value !== undefined) {
        return { kind: 'class', index: labels.otherwise };
      }
      throw unknownValue(labels, labels.key, value, where);
    }
    case 'multi': {
      const object = expectObject(json, where);
      const value = object[labels.key];
      if (typeof value !== 'string' || value === '') {
        throw new DataError(
          `${where}: label field "${labels.key}" is ${describe(value)}; expected "${labels.separator}"-separated class names`,
        );
      }
      const indices = value.split(labels.separator).map((part) => {
        const index = indexOfValue(labels, part);
        if (index < 0) {
          throw unknownValue(labels, labels.key, part, where);
        }
        return index;
      });
      return { kind: 'multi', indices: [...new Set(indices)].sort((a, b) => a - b) };
    }
    case 'events': {
      if (!Array.isArray(json)) {
        throw new DataError(
          `${where}: the label JSON of a frame-level task must be a list of events`,
        );
      }
      const events = json.map((entry: unknown, position): FrameEvent => {
        const event = expectObject(entry, `${where} (event ${position})`);
        const start = finiteSeconds(event[labels.startKey], labels.startKey, where);
        const end = finiteSeconds(event[labels.endKey], labels.endKey, where);
        const raw = event[labels.classKey];
        const parts =
          labels.classSeparator !== undefined && typeof raw === 'string'
            ? raw.split(labels.classSeparator)
            : [raw];
        const classes = parts.map((part) => {
          const index = indexOfValue(labels, part);
          if (index < 0) {
            throw unknownValue(labels, labels.classKey, part, where);
          }
          return index;
        });
        return { start, end, classes };
      });
      return { kind: 'events', events };
    }
    case 'captions': {
      // X-ARES treats every value of the object as a caption (data_merge_function_clotho).
      const captions = Object.values(expectObject(json, where));
      if (
        captions.length !== labels.captionsPerClip ||
        !captions.every((caption) => typeof caption === 'string' && caption.trim() !== '')
      ) {
        throw new DataError(
          `${where}: expected ${labels.captionsPerClip} non-empty caption strings, found ${captions.length} values`,
          {
            hint: 'the Recall@1 metric assumes the same number of captions for every clip',
          },
        );
      }
      return { kind: 'captions', captions: captions as string[] };
    }
    case 'transcript': {
      const value = expectObject(json, where)[labels.key];
      if (typeof value !== 'string') {
        throw new DataError(
          `${where}: transcript field "${labels.key}" is ${describe(value)}; expected a string`,
        );
      }
      return { kind: 'transcript', text: value };
    }
  }
}

/** Class index of a single-label target; anything else is a programming error. */
export function classIndex(target: SampleTarget): number {
  if (target.kind !== 'class') {
    throw new Error(`expected a single-class target, got ${target.kind}`);
  }
  return target.index;
}
