// Armbian images for the Turing RK1 as the library lists them, and what each kernel branch means
// for the RK3588's NPU (k3s-and-addons.md §6): the UI explains the trade-off from these texts.
import { z } from 'zod'
import { appErrorDataSchema } from '../contract/app-error.ts'
import { armbianBranches, armbianVariants, type ArmbianBranch } from './armbian-image-name.ts'

export const npuSupports = ['rknpu', 'rocket', 'none'] as const
export type NpuSupport = (typeof npuSupports)[number]

export interface KernelBranchInfo {
  label: string
  npu: NpuSupport
  summary: string
}

export const kernelBranches: Record<ArmbianBranch, KernelBranchInfo> = {
  vendor: {
    label: 'vendor (Rockchip 6.1)',
    npu: 'rknpu',
    summary:
      "Rockchip's 6.1 BSP kernel: has the RKNPU driver that RKNN, RKLLM and rkllama need. Older kernel, Rockchip's patches.",
  },
  current: {
    label: 'current (mainline)',
    npu: 'rocket',
    summary:
      'Mainline kernel (6.18): newer and closer to upstream, but no RKNPU driver; its "rocket" NPU driver does not work with RKNN/RKLLM.',
  },
  edge: {
    label: 'edge (newest mainline)',
    npu: 'rocket',
    summary: 'The newest mainline kernel (7.x) for testing; like current, no RKNPU driver.',
  },
  legacy: {
    label: 'legacy (Rockchip 5.10)',
    npu: 'rknpu',
    summary: "Rockchip's older 5.10 BSP kernel; superseded by vendor.",
  },
}

export const npuTradeOff =
  'Choose the vendor kernel (6.1) if a node should run models on the RK3588 NPU (RKNN, RKLLM, rkllama): only it has the RKNPU driver. ' +
  'Choose current (mainline) for a newer, upstream kernel when the NPU is not needed: its "rocket" driver is not compatible with the RKNN runtime.'

export const armbianImageSchema = z.object({
  name: z.string(),
  releaseTag: z.string(),
  prerelease: z.boolean(),
  publishedAt: z.string().nullable(),
  armbianVersion: z.string(),
  build: z.number(),
  distro: z.string(),
  distroFamily: z.enum(['debian', 'ubuntu', 'unknown']),
  variant: z.enum(armbianVariants),
  desktop: z.string().nullable(),
  branch: z.enum(armbianBranches),
  kernelVersion: z.string(),
  npu: z.enum(npuSupports),
  url: z.string(),
  sizeBytes: z.number(),
  sha256: z.string().nullable(),
  checksumUrl: z.string().nullable(),
  checksumSource: z.enum(['github-digest', 'checksum-file', 'none']),
  /** When Clusterdeck first listed it; releases are deleted upstream within weeks. */
  seenAt: z.string(),
  lastSeenAt: z.string(),
  /** False once a refresh no longer finds it: the URL is gone, only a cached copy remains. */
  stillPublished: z.boolean(),
  /** The cached image downloaded from this URL, when there is one. */
  cachedSha256: z.string().nullable(),
})
export type ArmbianImage = z.infer<typeof armbianImageSchema>

export const armbianImagesRequestSchema = z.object({
  /** Ask GitHub now instead of answering from what was seen before. */
  refresh: z.boolean().default(false),
  distro: z.string().optional(),
  variant: z.enum(armbianVariants).optional(),
  branch: z.enum(armbianBranches).optional(),
  /** Include images whose release was deleted upstream (default true: a cached copy may exist). */
  includeVanished: z.boolean().default(true),
})
export type ArmbianImagesRequest = z.output<typeof armbianImagesRequestSchema>

export const armbianImagesResultSchema = z.object({
  images: z.array(armbianImageSchema),
  /** When GitHub was last asked successfully; null before the first refresh. */
  refreshedAt: z.string().nullable(),
  /** Why this answer comes from what was seen before (offline, rate limit), when it does. */
  refreshError: appErrorDataSchema.nullable(),
  npuTradeOff: z.string(),
})
export type ArmbianImagesResult = z.infer<typeof armbianImagesResultSchema>
