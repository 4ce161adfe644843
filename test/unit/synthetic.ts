/** Synthetic faces for unit tests of the verdict rules: descriptors with chosen similarities. */
import type { Gallery } from '../../src/domain/gallery.js';
import type { Box, DetectedFace, FaceQuality, ImageAnalysis, RegistryPerson } from '../../src/domain/types.js';

export const model = 'test-model';

/** Each person's reference photo is one axis of the 128-d space; axis 127 is "nobody". */
const axes = new Map<string, number>();
function axis(personId: string): number {
  if (!axes.has(personId)) axes.set(personId, axes.size);
  return axes.get(personId)!;
}

export function unit(index: number): number[] {
  const vector = new Array<number>(128).fill(0);
  vector[index] = 1;
  return vector;
}

/** A descriptor whose similarity to each named person's reference photo is as given (the rest goes to "nobody"). */
export function descriptorLike(similarities: Record<string, number>): number[] {
  const vector = new Array<number>(128).fill(0);
  let used = 0;
  for (const [personId, value] of Object.entries(similarities)) {
    vector[axis(personId)] = value;
    used += value * value;
  }
  vector[127] = Math.sqrt(Math.max(0, 1 - used));
  return vector;
}

export const person = (id: string, name: string, extra: Partial<RegistryPerson> = {}): RegistryPerson => ({
  id,
  name,
  aliases: [],
  ...extra,
});

export const registryPeople: RegistryPerson[] = [
  person('enver-bekirov', 'Enver Bekirov', {
    aliases: ['Енвер Бекіров', 'Энвер Бекиров'],
    category: 'crimean-political-prisoner',
    region: 'Crimea',
  }),
  person('server-mustafayev', 'Server Mustafayev', {
    aliases: ['Сервер Мустафаєв'],
    category: 'crimean-political-prisoner',
    region: 'Crimea',
  }),
  person('maksym-butkevych', 'Maksym Butkevych', { aliases: ['Максим Буткевич'], category: 'prisoner-of-war', region: 'Luhansk' }),
  person('nariman-dzhelyal', 'Nariman Dzhelyal', { aliases: ['Наріман Джелял'], category: 'crimean-political-prisoner', region: 'Crimea' }),
];

/** One reference photo per person, on the person's own axis. */
export function gallery(people: RegistryPerson[] = registryPeople): Gallery {
  return {
    model,
    people,
    references: people.map((p) => ({ personId: p.id, referencePhoto: `${p.id}/portrait.jpg`, descriptor: unit(axis(p.id)) })),
  };
}

export const goodQuality: FaceQuality = { faceSize: 40, detectorScore: 0.99, sharpness: 80, yaw: 5, pitch: 5, roll: 0 };

/** A face as the engine finds one: unless told otherwise, its eyes are 0.45 of the box width apart, as in real photos. */
export function face(box: Box, similarities: Record<string, number>, quality: Partial<FaceQuality> = {}): DetectedFace {
  return {
    box,
    landmarks: [],
    quality: { ...goodQuality, faceSize: 0.45 * box.width, ...quality },
    descriptor: descriptorLike(similarities),
  };
}

export function image(faces: DetectedFace[], width = 1000, height = 800): ImageAnalysis {
  return { width, height, format: 'jpeg', faces, model };
}

export const box = (x: number, y: number, width = 100, height = 120): Box => ({ x, y, width, height });
