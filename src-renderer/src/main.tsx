import '@mantine/core/styles.css'
import '@mantine/notifications/styles.css'
import '@mantine/dropzone/styles.css'
import { createTheme, Input, MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'

const theme = createTheme({
  primaryColor: 'teal',
  defaultRadius: 'md',
  components: {
    // Mantine paints placeholders red on a field with an error, where "rack-1" reads as typed text
    // next to "The name is empty"; keep them grey.
    Input: Input.extend({
      styles: { input: { '--input-placeholder-color': 'var(--mantine-color-placeholder)' } },
    }),
  },
})

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" />
      <App />
    </MantineProvider>
  </StrictMode>,
)
