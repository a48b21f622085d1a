import { z } from 'zod'
import { clusterRecordSchema } from '../clusters/cluster-schema.ts'
import { defineRequest } from './define.ts'

export const clusterRequests = {
  'clusters.list': defineRequest({
    description: 'The cluster records: what each profile’s runs actually deployed (no secrets).',
    input: z.object({}).strict(),
    output: z.array(clusterRecordSchema),
  }),
  'clusters.get': defineRequest({
    description: 'One cluster record, by its id or by its profile’s name or id.',
    input: z.object({ ref: z.string().trim().min(1, { message: 'is empty: name a cluster or a profile' }) }),
    output: clusterRecordSchema,
  }),
}
