import { AppShell, Center, Group, Loader, NavLink, Text, Title } from '@mantine/core'
import {
  IconBox,
  IconBrandDebian,
  IconHierarchy2,
  IconKey,
  IconLayoutGrid,
  IconLibraryPhoto,
  IconServer2,
  IconSettings,
  IconTopologyStar3,
} from '@tabler/icons-react'
import { lazy, Suspense, useEffect, type MouseEvent, type ReactNode } from 'react'
import { ActivityNav } from './activity/activity-nav.tsx'
import { hasClientConfig, useClusters } from './clusters/use-clusters.ts'
import { useBoards } from './boards/use-boards.ts'
import { PageErrorBoundary } from './common/page-error-boundary.tsx'
import { useProfiles } from './profiles/use-profiles.ts'
import { LeaveGuardContext } from './shell/leave-guard.tsx'
import { hashOf, samePlace, type PageName, type Place } from './shell/route.ts'
import { useRoute } from './shell/use-route.tsx'
import { SecretsNotice } from './system/secrets-notice.tsx'
import { useSystemInfo } from './system/use-system-info.ts'

// Each page is a chunk of its own, loaded when first opened: the window paints the shell without
// waiting for the code of pages it does not show (docs/benchmarks.md, renderer).
const ArmbianPage = lazy(() => import('./armbian/armbian-page.tsx').then((m) => ({ default: m.ArmbianPage })))
const BoardView = lazy(() => import('./board-view/board-view.tsx').then((m) => ({ default: m.BoardView })))
const ClusterPage = lazy(() =>
  import('./clusters/cluster-page.tsx').then((m) => ({ default: m.ClusterPage })),
)
const BoardsPage = lazy(() => import('./boards/boards-page.tsx').then((m) => ({ default: m.BoardsPage })))
const LibraryPage = lazy(() => import('./library/library-page.tsx').then((m) => ({ default: m.LibraryPage })))
const ProfileView = lazy(() =>
  import('./profiles/profile-view.tsx').then((m) => ({ default: m.ProfileView })),
)
const ProfilesPage = lazy(() =>
  import('./profiles/profiles-page.tsx').then((m) => ({ default: m.ProfilesPage })),
)
const SettingsPage = lazy(() =>
  import('./settings/settings-page.tsx').then((m) => ({ default: m.SettingsPage })),
)
const TalosBuilderPage = lazy(() =>
  import('./talos-builder/talos-builder-page.tsx').then((m) => ({ default: m.TalosBuilderPage })),
)

const pageNames: Record<PageName, string> = {
  boards: 'Boards',
  board: 'Board',
  clusters: 'Clusters',
  profile: 'Cluster profile',
  cluster: 'Cluster access',
  library: 'Image library',
  'talos-builder': 'Talos builder',
  armbian: 'Armbian for RK1',
  settings: 'Settings',
}

export function App() {
  const info = useSystemInfo()
  const { boards } = useBoards()
  const { profiles } = useProfiles()
  const { records: clusters } = useClusters()
  const { place, navigate, registerUnsaved, leaveModal } = useRoute()
  // The board and profile come from the live lists, so a rename or a newly trusted certificate
  // shows at once and one removed elsewhere closes its view.
  const board =
    place.page === 'board' ? boards?.find((candidate) => candidate.id === place.boardId) : undefined
  const profile =
    place.page === 'profile' ? profiles?.find((candidate) => candidate.name === place.profileName) : undefined
  const showBoards = () => navigate({ page: 'boards' })
  const showClusters = () => navigate({ page: 'clusters' })
  const openProfile = (opened: { name: string }) => navigate({ page: 'profile', profileName: opened.name })
  const openCluster = (name: string) => navigate({ page: 'cluster', clusterName: name })
  const title =
    board?.name ??
    profile?.name ??
    (place.page === 'cluster' ? `${place.clusterName} access` : pageNames[place.page])

  useEffect(() => {
    document.title = `${title} · Clusterdeck`
  }, [title])
  // For npm run bench:renderer: when the shell (header and navigation) is on screen.
  useEffect(() => {
    performance.mark('shell-rendered')
  }, [])

  /** A navigation entry: a real link (keyboard, middle click), opened in place through the shell. */
  const link = (
    to: Place,
    label: string,
    icon: ReactNode,
    extra: { pl?: string; mt?: string; 'aria-label'?: string } = {},
  ) => {
    const active = samePlace(place, to)
    return (
      <NavLink
        key={hashOf(to)}
        href={hashOf(to)}
        label={label}
        leftSection={icon}
        active={active}
        aria-current={active ? 'page' : undefined}
        onClick={(event: MouseEvent<HTMLAnchorElement>) => {
          if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return
          event.preventDefault()
          navigate(to)
        }}
        {...extra}
      />
    )
  }

  let page: ReactNode
  if (board) page = <BoardView key={board.id} board={board} onBack={showBoards} />
  else if (profile)
    page = (
      <ProfileView
        key={profile.id}
        profile={profile}
        onBack={showClusters}
        onOpenProfile={openProfile}
        onOpenAccess={() => openCluster(profile.name)}
      />
    )
  else if (place.page === 'cluster')
    page = (
      <ClusterPage
        key={place.clusterName}
        clusterName={place.clusterName}
        onBack={showClusters}
        onOpenProfile={() => navigate({ page: 'profile', profileName: place.clusterName })}
      />
    )
  else if (place.page === 'library')
    page = (
      <LibraryPage
        onOpenTalosBuilder={() => navigate({ page: 'talos-builder' })}
        onOpenArmbian={() => navigate({ page: 'armbian' })}
      />
    )
  else if (place.page === 'talos-builder') page = <TalosBuilderPage />
  else if (place.page === 'armbian') page = <ArmbianPage />
  else if (place.page === 'settings') page = <SettingsPage />
  else if (place.page === 'clusters' || place.page === 'profile')
    page = <ProfilesPage onOpenProfile={openProfile} />
  else page = <BoardsPage onOpenBoard={(opened) => navigate({ page: 'board', boardId: opened.id })} />

  return (
    <LeaveGuardContext.Provider value={registerUnsaved}>
      <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="lg">
        <AppShell.Header>
          <Group h="100%" px="lg" justify="space-between">
            <Title order={3} component="p">
              Clusterdeck
            </Title>
            {info && (
              <Text size="xs" c="dimmed" data-testid="data-dir">
                v{info.version} · data in {info.dataDir}
              </Text>
            )}
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="sm" aria-label="Pages">
          <ActivityNav
            onOpenBoard={(boardId) => navigate({ page: 'board', boardId })}
            onOpenProfile={(profileId) => {
              const opened = profiles?.find((candidate) => candidate.id === profileId)
              navigate(opened ? { page: 'profile', profileName: opened.name } : { page: 'clusters' })
            }}
          />
          {link({ page: 'boards' }, 'Boards', <IconServer2 size={18} />)}
          {boards?.map((candidate) =>
            link({ page: 'board', boardId: candidate.id }, candidate.name, <IconLayoutGrid size={16} />, {
              pl: 'lg',
            }),
          )}
          {link({ page: 'clusters' }, 'Clusters', <IconTopologyStar3 size={18} />, { mt: 'sm' })}
          {profiles?.flatMap((candidate) => [
            link(
              { page: 'profile', profileName: candidate.name },
              candidate.name,
              <IconHierarchy2 size={16} />,
              { pl: 'lg' },
            ),
            // A deployed cluster's configs, one step under its profile.
            ...(clusters?.some((record) => record.profileName === candidate.name && hasClientConfig(record))
              ? [
                  link({ page: 'cluster', clusterName: candidate.name }, 'Access', <IconKey size={14} />, {
                    pl: 'xl',
                    'aria-label': `Access to ${candidate.name}`,
                  }),
                ]
              : []),
          ])}
          {link({ page: 'library' }, 'Image library', <IconLibraryPhoto size={18} />, { mt: 'sm' })}
          {link({ page: 'talos-builder' }, 'Talos builder', <IconBox size={16} />, { pl: 'lg' })}
          {link({ page: 'armbian' }, 'Armbian for RK1', <IconBrandDebian size={16} />, { pl: 'lg' })}
          {link({ page: 'settings' }, 'Settings', <IconSettings size={18} />, { mt: 'sm' })}
        </AppShell.Navbar>
        <AppShell.Main>
          {info && <SecretsNotice status={info.secrets} />}
          <PageErrorBoundary
            key={hashOf(place)}
            page={`The ${pageNames[place.page].toLowerCase()} page`}
            {...(place.page === 'boards' ? {} : { onLeave: { label: 'Go to Boards', go: showBoards } })}
          >
            <Suspense
              fallback={
                <Center py="xl">
                  <Loader aria-label="Loading the page" />
                </Center>
              }
            >
              {page}
            </Suspense>
          </PageErrorBoundary>
        </AppShell.Main>
        {leaveModal}
      </AppShell>
    </LeaveGuardContext.Provider>
  )
}
