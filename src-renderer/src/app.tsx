import { AppShell, Group, NavLink, Text, Title } from '@mantine/core'
import {
  IconBox,
  IconBrandDebian,
  IconHierarchy2,
  IconLayoutGrid,
  IconLibraryPhoto,
  IconServer2,
  IconTopologyStar3,
} from '@tabler/icons-react'
import { useState } from 'react'
import { ArmbianPage } from './armbian/armbian-page.tsx'
import { BoardView } from './board-view/board-view.tsx'
import { BoardsPage } from './boards/boards-page.tsx'
import { PageErrorBoundary } from './common/page-error-boundary.tsx'
import { useBoards } from './boards/use-boards.ts'
import { LibraryPage } from './library/library-page.tsx'
import { ProfileView } from './profiles/profile-view.tsx'
import { ProfilesPage } from './profiles/profiles-page.tsx'
import { useProfiles } from './profiles/use-profiles.ts'
import { SecretsNotice } from './system/secrets-notice.tsx'
import { useSystemInfo } from './system/use-system-info.ts'
import { TalosBuilderPage } from './talos-builder/talos-builder-page.tsx'

/** Where the user is: a list of boards or clusters, or one of them. Few enough places for plain state. */
type Place =
  | { page: 'boards' }
  | { page: 'board'; boardId: string }
  | { page: 'clusters' }
  | { page: 'profile'; profileId: string }
  | { page: 'library' }
  | { page: 'talos-builder' }
  | { page: 'armbian' }

const pageNames: Record<Place['page'], string> = {
  boards: 'The boards page',
  board: 'The board view',
  clusters: 'The clusters page',
  profile: 'The profile page',
  library: 'The image library',
  'talos-builder': 'The Talos builder',
  armbian: 'The Armbian page',
}

export function App() {
  const info = useSystemInfo()
  const { boards } = useBoards()
  const [place, setPlace] = useState<Place>({ page: 'boards' })
  // The board comes from the live list, so a rename or a newly trusted certificate shows at once
  // and a board removed elsewhere closes its view.
  const board =
    place.page === 'board' ? boards?.find((candidate) => candidate.id === place.boardId) : undefined
  const showBoards = () => setPlace({ page: 'boards' })
  const { profiles } = useProfiles()
  const profile =
    place.page === 'profile' ? profiles?.find((candidate) => candidate.id === place.profileId) : undefined
  const showClusters = () => setPlace({ page: 'clusters' })
  const openProfile = (opened: { id: string }) => setPlace({ page: 'profile', profileId: opened.id })

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="lg" justify="space-between">
          <Title order={3}>Clusterdeck</Title>
          {info && (
            <Text size="xs" c="dimmed" data-testid="data-dir">
              v{info.version} · data in {info.dataDir}
            </Text>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <NavLink
          label="Boards"
          leftSection={<IconServer2 size={18} />}
          active={place.page === 'boards'}
          onClick={showBoards}
        />
        {boards?.map((candidate) => (
          <NavLink
            key={candidate.id}
            label={candidate.name}
            leftSection={<IconLayoutGrid size={16} />}
            pl="lg"
            active={place.page === 'board' && place.boardId === candidate.id}
            onClick={() => setPlace({ page: 'board', boardId: candidate.id })}
          />
        ))}
        <NavLink
          label="Clusters"
          leftSection={<IconTopologyStar3 size={18} />}
          active={place.page === 'clusters'}
          onClick={showClusters}
          mt="sm"
        />
        {profiles?.map((candidate) => (
          <NavLink
            key={candidate.id}
            label={candidate.name}
            leftSection={<IconHierarchy2 size={16} />}
            pl="lg"
            active={place.page === 'profile' && place.profileId === candidate.id}
            onClick={() => openProfile(candidate)}
          />
        ))}
        <NavLink
          label="Image library"
          leftSection={<IconLibraryPhoto size={18} />}
          active={place.page === 'library'}
          onClick={() => setPlace({ page: 'library' })}
          mt="sm"
        />
        <NavLink
          label="Talos builder"
          leftSection={<IconBox size={16} />}
          pl="lg"
          active={place.page === 'talos-builder'}
          onClick={() => setPlace({ page: 'talos-builder' })}
        />
        <NavLink
          label="Armbian for RK1"
          leftSection={<IconBrandDebian size={16} />}
          pl="lg"
          active={place.page === 'armbian'}
          onClick={() => setPlace({ page: 'armbian' })}
        />
      </AppShell.Navbar>
      <AppShell.Main>
        {info && <SecretsNotice status={info.secrets} />}
        <PageErrorBoundary
          key={JSON.stringify(place)}
          page={pageNames[place.page]}
          {...(place.page === 'boards' ? {} : { onLeave: { label: 'Go to Boards', go: showBoards } })}
        >
          {board ? (
            <BoardView key={board.id} board={board} onBack={showBoards} />
          ) : profile ? (
            <ProfileView
              key={profile.id}
              profile={profile}
              onBack={showClusters}
              onOpenProfile={openProfile}
            />
          ) : place.page === 'library' ? (
            <LibraryPage
              onOpenTalosBuilder={() => setPlace({ page: 'talos-builder' })}
              onOpenArmbian={() => setPlace({ page: 'armbian' })}
            />
          ) : place.page === 'talos-builder' ? (
            <TalosBuilderPage />
          ) : place.page === 'armbian' ? (
            <ArmbianPage />
          ) : place.page === 'clusters' || place.page === 'profile' ? (
            <ProfilesPage onOpenProfile={openProfile} />
          ) : (
            <BoardsPage onOpenBoard={(opened) => setPlace({ page: 'board', boardId: opened.id })} />
          )}
        </PageErrorBoundary>
      </AppShell.Main>
    </AppShell>
  )
}
