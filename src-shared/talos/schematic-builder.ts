// The builder's choices → a schematic, as the factory's web UI would build it: the board's overlay,
// extensions (picked and from presets) sorted byte-wise, kernel arguments split on whitespace, and
// per node the META key 10 static network.
import { z } from 'zod'
import { findBoard, talosBoardIds } from './boards.ts'
import { metalNetworkMeta, metalNetworkMetaKey, staticNetworkSchema } from './meta-network.ts'
import { extensionPresetIds, presetExtensions } from './presets.ts'
import { compareBytewise, optionValueSchema, splitKernelArgs, type Schematic } from './schematic.ts'

export const schematicChoicesSchema = z
  .object({
    board: z.enum(talosBoardIds),
    presets: z.array(z.enum(extensionPresetIds)).default([]),
    extensions: z.array(z.string().min(1)).default([]),
    /** The kernel command line additions as typed, e.g. "net.ifnames=0 console=ttyS0". */
    kernelArgs: z.string().default(''),
    /** A node's static network (META key 10); omit for DHCP. */
    network: staticNetworkSchema.optional(),
    /** Overlay options, e.g. { spi_boot: true } on the RK1 or configTxtAppend on a Pi. */
    overlayOptions: z.record(z.string(), optionValueSchema).optional(),
  })
  .strict()

export type SchematicChoices = z.input<typeof schematicChoicesSchema>

export function buildSchematic(input: SchematicChoices): Schematic {
  const choices = schematicChoicesSchema.parse(input)
  const board = findBoard(choices.board)!
  const extensions = [
    ...new Set([...choices.presets.flatMap((p) => presetExtensions(p, board)), ...choices.extensions]),
  ]
  const kernelArgs = splitKernelArgs(choices.kernelArgs)
  const meta = choices.network ? [metalNetworkMeta(choices.network)] : []
  const options =
    choices.overlayOptions && Object.keys(choices.overlayOptions).length > 0
      ? choices.overlayOptions
      : undefined
  const customization: NonNullable<Schematic['customization']> = {}
  if (kernelArgs.length > 0) customization.extraKernelArgs = kernelArgs
  if (meta.length > 0) customization.meta = meta
  if (extensions.length > 0)
    customization.systemExtensions = { officialExtensions: extensions.sort(compareBytewise) }
  return {
    ...(board.overlay ? { overlay: { ...board.overlay, ...(options ? { options } : {}) } } : {}),
    customization,
  }
}

export { metalNetworkMetaKey }
