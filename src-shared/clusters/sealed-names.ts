// The names of a cluster's sealed files (src-main/secrets/sealed-secrets.ts), in one place, so the
// steps that seal them and the screens and commands that open them agree.
export const sealedNames = {
  /** The Talos secrets bundle (`talosctl gen secrets`): the cluster's identity. */
  talosSecrets: 'talos-secrets',
  talosconfig: 'talosconfig',
  kubeconfig: 'kubeconfig',
  /** The cluster's ed25519 SSH private key (OpenSSH format); the public key derives from it. */
  sshKey: 'ssh-key',
  /** The first K3s server's join token. */
  k3sToken: 'k3s-token',
  /** The root password the first login set on K3s nodes, when the app generated it. */
  rootPassword: 'root-password',
  grafanaAdminPassword: 'grafana-admin-password',
  /** A node's whole machine config: it carries the cluster's keys. */
  machineConfig: (hostname: string) => `machine-config-${hostname}`,
} as const
