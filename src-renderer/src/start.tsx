// The app itself, loaded by main.tsx once the window has painted index.html's placeholder.
import {
  createTheme,
  darken,
  Drawer,
  getContrastColor,
  Input,
  MantineProvider,
  Modal,
  Notification,
  type CSSVariablesResolver,
} from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'

// Contrast to WCAG AA (4.5:1 for text): white on the default filled shade 6 is 2.55:1 for teal and
// 3.3:1 for red, so filled buttons and badges use shade 9 (teal 5.0:1, red 5.5:1) in both schemes;
// autoContrast writes black on the shade-9 colours white fails on (green, orange, yellow: their
// luminance is above 0.18).
const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: { light: 9, dark: 9 },
  autoContrast: true,
  luminanceThreshold: 0.18,
  defaultRadius: 'md',
  components: {
    // Mantine paints placeholders red on a field with an error, where "rack-1" reads as typed text
    // next to "The name is empty"; keep them grey.
    // The dialogs' × has no text; this is its name.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    // A notification's × likewise; its description is gray 6 by default (3.3:1 on white).
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } },
      styles: { description: { color: 'var(--mantine-color-dimmed)' } },
    }),
    Input: Input.extend({
      styles: { input: { '--input-placeholder-color': 'var(--mantine-color-placeholder)' } },
    }),
  },
})

// Dimmed text is gray 6 by default: 3.3:1 on white. Gray 7 in light (8.2:1) and dark 1 in dark
// (7.8:1 on the dark body) keep it a step quieter than body text and readable. Light badges and
// buttons write shade 9 on shade 1, 4.3:1 for teal and 3.6:1 for orange, and coloured text is
// shade 9 on white, 2.9:1 for yellow and 3.6:1 for lime; shade 9 darkened by 30% is 5:1 or more
// for every colour on both. `-contrast` is the text colour on a filled shade (white, or black where
// autoContrast writes black), for surfaces that are not Mantine components: the timeline's bars.
const cssVariablesResolver: CSSVariablesResolver = (resolved) => {
  const colors = Object.entries(resolved.colors)
  return {
    variables: Object.fromEntries(
      colors.map(([name]) => [
        `--mantine-color-${name}-contrast`,
        getContrastColor({ color: name, theme: resolved, autoContrast: true, colorScheme: 'light' }),
      ]),
    ),
    light: {
      '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
      ...Object.fromEntries(
        colors.flatMap(([name, shades]) => [
          [`--mantine-color-${name}-light-color`, darken(shades[9], 0.3)],
          [`--mantine-color-${name}-text`, `var(--mantine-color-${name}-light-color)`],
        ]),
      ),
    },
    dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="bottom-right" />
      <App />
    </MantineProvider>
  </StrictMode>,
)
