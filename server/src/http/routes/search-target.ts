/** What one resource type offers the root POST /.search (search.ts), implemented by its routes. */
import type { FastifyRequest } from 'fastify';

type Query = Record<string, string | undefined>;

/** One resource type the root search covers: a page of its resources, represented as asked. */
export interface SearchTarget {
  resourceType: string;
  search(req: FastifyRequest, q: Query): Promise<{ total: number; resources: Record<string, unknown>[] }>;
}
