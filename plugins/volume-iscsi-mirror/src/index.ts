// Placeholder until the plugin lands; the package is wired into the workspace.
export {};
