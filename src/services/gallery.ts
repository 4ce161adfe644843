import { buildGallery, type Gallery } from '../domain/gallery.js';
import type { RegistryPerson } from '../domain/types.js';
import type { Store } from '../store/index.js';
import type { Person } from '../store/people.js';

export function registryPerson(person: Person): RegistryPerson {
  return {
    id: person.id,
    name: person.name,
    aliases: person.aliases,
    ...(person.category ? { category: person.category } : {}),
    ...(person.region ? { region: person.region } : {}),
    ...(person.status ? { status: person.status } : {}),
  };
}

/**
 * The registry's people and active descriptors for one model, kept in memory by a worker and
 * reloaded when the registry version moves (each change to people or photos bumps it).
 */
export class GalleryCache {
  private gallery: Gallery | null = null;
  private version = -1;

  constructor(
    private readonly store: Store,
    private readonly model: string,
    private readonly onReload?: (gallery: Gallery, version: number) => void,
  ) {}

  async current(): Promise<Gallery> {
    const version = await this.store.registryState.version();
    if (this.gallery && version === this.version) return this.gallery;
    const [people, references] = await Promise.all([this.store.people.all(), this.store.referencePhotos.activeDescriptors(this.model)]);
    this.gallery = buildGallery(
      this.model,
      people.map(registryPerson),
      references.map((reference) => ({ ...reference, model: this.model })),
    );
    this.version = version;
    this.onReload?.(this.gallery, version);
    return this.gallery;
  }
}
