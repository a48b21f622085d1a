// The specs of the Talos resources a virtual node serves over the resource state API
// (resource-state-service.ts), encoded as Talos encodes them: each spec is a protobuf message whose
// field numbers are the `protobuf:"N"` tags of its Go type in Talos's machinery (v1.12), and the
// machine config travels as its YAML in field 1. Only the fields talosctl upgrade-k8s reads are
// written (docs/upgrades.md); proto3 leaves the others at their defaults. A manifest's objects
// (Go's map[string]any) travel as google.protobuf.Struct, as Talos's encoder writes such maps.
import { stringify } from 'yaml'

type FieldValue = string | boolean | Uint8Array

function varint(value: number): number[] {
  const bytes: number[] = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80)
    rest >>>= 7
  }
  bytes.push(rest)
  return bytes
}

const lengthDelimited = (number: number, bytes: Uint8Array | number[]) => [
  ...varint((number << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
]

/** A protobuf message of string, bytes and bool fields; defaults (empty, false) are left out. */
export function encodeMessage(fields: [number, FieldValue][]): Uint8Array {
  const out: number[] = []
  for (const [number, value] of fields) {
    if (typeof value === 'boolean') {
      if (value) out.push(...varint(number << 3), 1)
      continue
    }
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    if (bytes.length === 0) continue
    out.push(...lengthDelimited(number, bytes))
  }
  return Uint8Array.from(out)
}

/** google.protobuf.Value: null 1, number 2 (double), string 3, bool 4, struct 5, list 6. */
function encodeValue(value: unknown): Uint8Array {
  if (value === null || value === undefined) return Uint8Array.from([1 << 3, 0])
  if (typeof value === 'number') {
    const double = Buffer.alloc(8)
    double.writeDoubleLE(value)
    return Uint8Array.from([(2 << 3) | 1, ...double])
  }
  if (typeof value === 'string') return Uint8Array.from(lengthDelimited(3, Buffer.from(value, 'utf8')))
  if (typeof value === 'boolean') return Uint8Array.from([4 << 3, value ? 1 : 0])
  if (Array.isArray(value)) {
    const list = value.flatMap((item) => lengthDelimited(1, encodeValue(item)))
    return Uint8Array.from(lengthDelimited(6, Uint8Array.from(list)))
  }
  return Uint8Array.from(lengthDelimited(5, encodeStruct(value as Record<string, unknown>)))
}

/** google.protobuf.Struct: map<string, Value> fields = 1. */
export function encodeStruct(object: Record<string, unknown>): Uint8Array {
  const out: number[] = []
  for (const [key, value] of Object.entries(object)) {
    const entry = [...lengthDelimited(1, Buffer.from(key, 'utf8')), ...lengthDelimited(2, encodeValue(value))]
    out.push(...lengthDelimited(1, Uint8Array.from(entry)))
  }
  return Uint8Array.from(out)
}

export interface ResourceSpec {
  proto: Uint8Array
  /** What `talosctl get -o yaml` would show as the spec. */
  yaml: string
}

const spec = (fields: [number, FieldValue][], yaml: Record<string, unknown>): ResourceSpec => ({
  proto: encodeMessage(fields),
  yaml: stringify(yaml),
})

/** config.MachineConfig: the config as applied. */
export const machineConfigSpec = (raw: string): ResourceSpec => ({
  proto: encodeMessage([[1, Buffer.from(raw, 'utf8')]]),
  yaml: raw,
})

/** k8s.KubeletSpec: image = 1. */
export const kubeletSpec = (image: string) => spec([[1, image]], { image })

/** k8s.APIServerConfig: image = 1. */
export const apiServerConfigSpec = (image: string) => spec([[1, image]], { image })

/** k8s.ControllerManagerConfig and k8s.SchedulerConfig: enabled = 1, image = 2. */
export const componentConfigSpec = (image: string) =>
  spec(
    [
      [1, true],
      [2, image],
    ],
    { enabled: true, image },
  )

/** v1alpha1.Service: running = 1, healthy = 2. */
export const serviceSpec = (running: boolean, healthy: boolean) =>
  spec(
    [
      [1, running],
      [2, healthy],
    ],
    { running, healthy, unknown: false },
  )

/** k8s.Manifest: items = 1, each a SingleManifest whose object = 1 is one Kubernetes object. */
export const manifestSpec = (objects: Record<string, unknown>[]): ResourceSpec => ({
  proto: Uint8Array.from(
    objects.flatMap((object) => lengthDelimited(1, lengthDelimited(1, encodeStruct(object)))),
  ),
  yaml: stringify(objects),
})
