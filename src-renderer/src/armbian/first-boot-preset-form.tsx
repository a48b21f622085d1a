// The Armbian first-login preset for one node: /root/.not_logged_in_yet (and the key file it points
// at) from a hostname, time zone, SSH key and root password, with an optional user and static
// address. Checked here with the shared schema, rendered by the core, never stored.
import {
  Alert,
  Button,
  Card,
  Group,
  List,
  PasswordInput,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { IconFileCode, IconLock } from '@tabler/icons-react'
import { useState, type ChangeEvent } from 'react'
import {
  firstBootPresetSchema,
  type FirstBootPresetInput,
} from '../../../src-shared/armbian/first-boot-preset.ts'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { monoInput } from '../profiles/field-issues.tsx'
import { PresetFile } from './preset-output.tsx'

interface Form {
  hostname: string
  timezone: string
  rootPassword: string
  sshPublicKey: string
  withUser: boolean
  userName: string
  userPassword: string
  withNetwork: boolean
  address: string
  gateway: string
  dns: string
}

const initialForm: Form = {
  hostname: '',
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Etc/UTC',
  rootPassword: '',
  sshPublicKey: '',
  withUser: false,
  userName: '',
  userPassword: '',
  withNetwork: false,
  address: '',
  gateway: '',
  dns: '',
}

function presetInput(form: Form): FirstBootPresetInput {
  return {
    hostname: form.hostname,
    timezone: form.timezone.trim(),
    rootPassword: form.rootPassword,
    ...(form.sshPublicKey.trim() ? { sshPublicKey: form.sshPublicKey } : {}),
    ...(form.withUser ? { user: { name: form.userName.trim(), password: form.userPassword } } : {}),
    ...(form.withNetwork
      ? {
          network: {
            address: form.address.trim(),
            gateway: form.gateway.trim(),
            dns: form.dns.split(/[\s,]+/).filter(Boolean),
          },
        }
      : {}),
  }
}

/** The schema's messages by the form's field names. */
function fieldIssues(form: Form): Partial<Record<keyof Form, string>> {
  const parsed = firstBootPresetSchema.safeParse(presetInput(form))
  if (parsed.success) return {}
  const names: Record<string, keyof Form> = {
    'user.name': 'userName',
    'user.password': 'userPassword',
    'network.address': 'address',
    'network.gateway': 'gateway',
    'network.dns': 'dns',
  }
  const issues: Partial<Record<keyof Form, string>> = {}
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((part) => typeof part === 'string').join('.')
    const field = names[path] ?? (path as keyof Form)
    issues[field] ??= issue.message
  }
  return issues
}

export function FirstBootPresetForm() {
  const [form, setForm] = useState<Form>(initialForm)
  const [shown, setShown] = useState<Partial<Record<keyof Form, string>>>({})
  const [result, setResult] = useState<RequestOutput<'armbian.firstBootPreset'>>()
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const [busy, setBusy] = useState(false)

  const text = (name: keyof Form) => ({
    value: form[name] as string,
    error: shown[name],
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      const value = event.currentTarget.value
      setForm((current) => ({ ...current, [name]: value }))
      // A preset with passwords in it must not outlive the form it came from.
      setResult(undefined)
      setShown((current) => ({ ...current, [name]: undefined }))
    },
  })
  const toggle = (name: 'withUser' | 'withNetwork') => ({
    checked: form[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) => {
      const checked = event.currentTarget.checked
      setForm((current) => ({ ...current, [name]: checked }))
      setResult(undefined)
    },
  })

  async function generate() {
    const issues = fieldIssues(form)
    setShown(issues)
    if (Object.keys(issues).length > 0) return
    setBusy(true)
    try {
      setResult(await call('armbian.firstBootPreset', presetInput(form)))
      setFailure(undefined)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card withBorder padding="lg" data-testid="first-boot-preset">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={4}>First-boot preset</Title>
          <Text size="sm" c="dimmed">
            armbian-firstlogin reads /root/.not_logged_in_yet at the first root login: root password, SSH key,
            time zone, a user and a static address, without answering its questions on the console.
          </Text>
        </Stack>
        <Group grow align="flex-start">
          <TextInput label="Hostname" placeholder="rk1-node-1" name="hostname" {...text('hostname')} />
          <TextInput label="Time zone" placeholder="Europe/Berlin" name="timezone" {...text('timezone')} />
        </Group>
        <PasswordInput
          label="Root password"
          name="rootPassword"
          autoComplete="new-password"
          {...text('rootPassword')}
        />
        <Textarea
          label="SSH public key"
          description="One line of your .pub file; logs in as root (and as the user)."
          placeholder="ssh-ed25519 AAAA… you@host"
          autosize
          minRows={2}
          styles={monoInput}
          name="sshPublicKey"
          {...text('sshPublicKey')}
        />
        <Switch label="Create a user" {...toggle('withUser')} />
        {form.withUser && (
          <Group grow align="flex-start" pl="xl">
            <TextInput label="User name" name="userName" {...text('userName')} />
            <PasswordInput
              label="User password"
              name="userPassword"
              autoComplete="new-password"
              {...text('userPassword')}
            />
          </Group>
        )}
        <Switch label="Static address on Ethernet (otherwise DHCP)" {...toggle('withNetwork')} />
        {form.withNetwork && (
          <Group grow align="flex-start" pl="xl">
            <TextInput label="Address" placeholder="192.168.1.21/24" name="address" {...text('address')} />
            <TextInput label="Gateway" placeholder="192.168.1.1" name="gateway" {...text('gateway')} />
            <TextInput label="DNS servers" placeholder="1.1.1.1" name="dns" {...text('dns')} />
          </Group>
        )}
        <Group>
          <Button leftSection={<IconFileCode size={16} />} loading={busy} onClick={() => void generate()}>
            Generate preset
          </Button>
          <Group gap={4}>
            <IconLock size={14} color="var(--mantine-color-dimmed)" />
            <Text size="xs" c="dimmed">
              Holds passwords in plain text: Clusterdeck never stores it.
            </Text>
          </Group>
        </Group>
        {failure && <FailureAlert failure={failure} />}
        {result && (
          <Stack gap="sm" data-testid="preset-result">
            {result.files.map((file) => (
              <PresetFile
                key={file.path}
                path={file.path}
                content={file.content}
                hostname={form.hostname.trim().toLowerCase()}
              />
            ))}
            <Alert variant="light" color="gray" p="xs">
              <List size="sm" spacing={2}>
                {result.notes.map((note) => (
                  <List.Item key={note}>{note}</List.Item>
                ))}
              </List>
            </Alert>
          </Stack>
        )}
      </Stack>
    </Card>
  )
}
