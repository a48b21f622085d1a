// The nodes of a profile as a table a person can read across: which board slot is which host, its
// role and address, where it installs, its NVMe drive and whether it has an image of its own.
import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Popover,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core'
import { IconPlus, IconTrash } from '@tabler/icons-react'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'
import type { ProfileNode } from '../../../src-shared/profiles/profile-schema.ts'
import { fieldIssues, IssueLines, monoInput } from './field-issues.tsx'
import { describeImage, ImageSourceField } from './image-source-field.tsx'
import { issuesAt, type ProfileIssue } from './profile-issues.ts'

export interface NodesTableProps {
  nodes: ProfileNode[]
  distribution: 'talos' | 'k3s'
  boardNames: readonly string[]
  images: readonly CachedImage[]
  issues: readonly ProfileIssue[]
  onChange(nodes: ProfileNode[]): void
}

const roles = [
  { value: 'control-plane', label: 'control plane' },
  { value: 'worker', label: 'worker' },
]
const slots = ['1', '2', '3', '4']

export function NodesTable({ nodes, distribution, boardNames, images, issues, onChange }: NodesTableProps) {
  const update = (index: number, change: Partial<ProfileNode>) =>
    onChange(nodes.map((node, i) => (i === index ? { ...node, ...change } : node)))
  const remove = (index: number) => onChange(nodes.filter((_, i) => i !== index))
  // Mantine lists each option once; a board the profile names but this machine lacks stays choosable.
  const boardOptions = [...new Set([...boardNames, ...nodes.map((node) => node.board)])]

  return (
    <Stack gap="xs">
      <IssueLines issues={issuesAt(issues, 'nodes')} />
      <Table.ScrollContainer minWidth={1080}>
        <Table
          verticalSpacing={6}
          horizontalSpacing={6}
          data-testid="nodes-table"
          style={{ tableLayout: 'fixed' }}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="13%">Hostname</Table.Th>
              <Table.Th w="14%">Role</Table.Th>
              <Table.Th w="14%">Board</Table.Th>
              <Table.Th w="7%">Slot</Table.Th>
              <Table.Th w="12%">Address</Table.Th>
              <Table.Th w="13%">Install disk</Table.Th>
              <Table.Th w="15%">NVMe drive</Table.Th>
              <Table.Th w="9%">Image</Table.Th>
              <Table.Th w={40} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {nodes.map((node, index) => {
              const path = `nodes[${index}]`
              const at = (field: string) => fieldIssues(issues, `${path}.${field}`)
              return (
                <Table.Tr
                  key={index}
                  data-testid="node-row"
                  data-index={index}
                  style={{ verticalAlign: 'top' }}
                >
                  <Table.Td>
                    <TextInput
                      aria-label={`Hostname of node ${index + 1}`}
                      styles={monoInput}
                      value={node.hostname}
                      onChange={(event) => update(index, { hostname: event.currentTarget.value })}
                      {...at('hostname')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Role of node ${index + 1}`}
                      data={roles}
                      allowDeselect={false}
                      value={node.role}
                      onChange={(role) => update(index, { role: role as ProfileNode['role'] })}
                      {...at('role')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Board of node ${index + 1}`}
                      data={boardOptions}
                      allowDeselect={false}
                      value={node.board}
                      onChange={(board) => update(index, { board: board ?? node.board })}
                      {...at('board')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NativeSelect
                      aria-label={`Slot of node ${index + 1}`}
                      data={slots}
                      value={String(node.slot)}
                      onChange={(event) =>
                        update(index, { slot: Number(event.currentTarget.value) as NodeNumber })
                      }
                      {...at('slot')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Address of node ${index + 1}`}
                      styles={monoInput}
                      value={node.address}
                      onChange={(event) => update(index, { address: event.currentTarget.value.trim() })}
                      {...at('address')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Install disk of node ${index + 1}`}
                      styles={monoInput}
                      value={node.installDisk}
                      onChange={(event) => update(index, { installDisk: event.currentTarget.value.trim() })}
                      {...at('installDisk')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NvmeCell
                      index={index}
                      node={node}
                      distribution={distribution}
                      issues={issues}
                      onChange={(nvme) => update(index, { nvme })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NodeImageCell
                      index={index}
                      node={node}
                      images={images}
                      issues={issues}
                      onChange={(image) => update(index, { image })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={`Remove ${node.hostname || 'this node'}`}>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        mt={4}
                        aria-label={`Remove node ${index + 1}`}
                        onClick={() => remove(index)}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...nodes, nextNode(nodes, boardNames)])}
        >
          Add a node
        </Button>
      </Group>
    </Stack>
  )
}

/** A node uses the profile's image unless it is given one of its own here. */
function NodeImageCell({
  index,
  node,
  images,
  issues,
  onChange,
}: {
  index: number
  node: ProfileNode
  images: readonly CachedImage[]
  issues: readonly ProfileIssue[]
  onChange(image: ProfileNode['image']): void
}) {
  const path = `nodes[${index}].image`
  const own = issuesAt(issues, path, true)
  const buttonText = node.image ? 'Change…' : 'Own image…'
  return (
    <Stack gap={2} pt={6}>
      <Text
        size="xs"
        c={node.image ? undefined : 'dimmed'}
        lineClamp={2}
        title={node.image && describeImage(node.image, images)}
      >
        {node.image ? describeImage(node.image, images) : "profile's image"}
      </Text>
      <Popover width={560} position="bottom-end" withArrow shadow="md">
        <Popover.Target>
          {/* The name starts with the words on the button, as speech control users say them. */}
          <Button
            size="compact-xs"
            variant="subtle"
            px={0}
            aria-label={`${buttonText} for node ${index + 1}`}
          >
            {buttonText}
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="sm">
            <Text size="sm" fw={600}>
              Image of {node.hostname || `node ${index + 1}`}
            </Text>
            <ImageSourceField
              path={path}
              value={node.image ?? { cached: images[0]?.sha256 ?? '' }}
              images={images}
              issues={issues}
              onChange={onChange}
            />
            {node.image && (
              <Button size="xs" variant="default" onClick={() => onChange(undefined)}>
                Use the profile&apos;s image
              </Button>
            )}
          </Stack>
        </Popover.Dropdown>
      </Popover>
      {own.length > 0 && <IssueLines issues={own} />}
    </Stack>
  )
}

function NvmeCell({
  index,
  node,
  distribution,
  issues,
  onChange,
}: {
  index: number
  node: ProfileNode
  distribution: 'talos' | 'k3s'
  issues: readonly ProfileIssue[]
  onChange(nvme: ProfileNode['nvme']): void
}) {
  const path = `nodes[${index}].nvme`
  const mountDefault = distribution === 'talos' ? '/var/mnt/longhorn' : '/var/lib/longhorn'
  return (
    <Stack gap={4}>
      <Checkbox
        size="xs"
        mt={8}
        label="mount an NVMe drive"
        checked={node.nvme !== undefined}
        onChange={(event) =>
          onChange(
            event.currentTarget.checked ? { device: '/dev/nvme0n1', mountPoint: mountDefault } : undefined,
          )
        }
      />
      {node.nvme && (
        <>
          <TextInput
            size="xs"
            aria-label={`NVMe device of node ${index + 1}`}
            styles={monoInput}
            value={node.nvme.device}
            onChange={(event) =>
              node.nvme && onChange({ ...node.nvme, device: event.currentTarget.value.trim() })
            }
            {...fieldIssues(issues, `${path}.device`)}
          />
          <TextInput
            size="xs"
            aria-label={`NVMe mount point of node ${index + 1}`}
            styles={monoInput}
            value={node.nvme.mountPoint}
            onChange={(event) =>
              node.nvme && onChange({ ...node.nvme, mountPoint: event.currentTarget.value.trim() })
            }
            {...fieldIssues(issues, `${path}.mountPoint`)}
          />
        </>
      )}
    </Stack>
  )
}

/** A new node: a worker in the first free slot of the first board, with the next host number. */
function nextNode(nodes: readonly ProfileNode[], boardNames: readonly string[]): ProfileNode {
  const board = nodes[0]?.board ?? boardNames[0] ?? ''
  const taken = new Set(nodes.filter((node) => node.board === board).map((node) => node.slot))
  const slot = ([1, 2, 3, 4] as const).find((candidate) => !taken.has(candidate)) ?? 1
  let number = nodes.length
  let hostname = `node-${number}`
  while (nodes.some((node) => node.hostname === hostname)) hostname = `node-${++number}`
  return { hostname, role: 'worker', board, slot, address: '', installDisk: '/dev/mmcblk0' }
}
