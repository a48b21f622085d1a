// Every step id, built in one place: the plan compilers name steps with these and the step
// executors in src-main find the steps they read from (an image's preparation, a node's flash)
// with the same helpers. Ids are stable across compilations, so a resumed run matches its steps;
// changing one orphans the steps of runs already recorded.
export const stepIds = {
  // Deploy.
  imagePrepare: (imageKey: string) => `image:${imageKey}`,
  flash: (hostname: string) => `flash:${hostname}`,
  boot: (hostname: string) => `boot:${hostname}`,
  talosSecrets: 'talos:secrets',
  talosConfigs: 'talos:configs',
  talosApply: (hostname: string) => `talos:apply:${hostname}`,
  talosBootstrap: 'talos:bootstrap',
  talosExport: 'talos:export',
  k3sPrepare: (hostname: string) => `k3s:prepare:${hostname}`,
  k3sServer: (hostname: string) => `k3s:server:${hostname}`,
  k3sJoin: (hostname: string) => `k3s:join:${hostname}`,
  k3sKubeconfig: 'k3s:kubeconfig',
  nodesReady: 'cluster:nodes-ready',
  addonInstall: (addon: string) => `addon:${addon}`,
  clusterReady: 'cluster:ready',
  // Upgrade.
  upgradeNode: (hostname: string) => `upgrade:${hostname}`,
  upgradeKubernetes: 'upgrade:kubernetes',
  // Backup.
  etcdSnapshot: 'backup:etcd',
  saveBackup: 'backup:save',
  // Destroy.
  addonUninstall: (addon: string) => `uninstall:${addon}`,
  reset: (hostname: string) => `reset:${hostname}`,
  powerOff: (hostname: string) => `power-off:${hostname}`,
  forget: 'destroy:forget',
} as const
