/** A URL- and filename-safe slug from a title; titles with no Latin letters get a neutral one. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'article';
}

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;
