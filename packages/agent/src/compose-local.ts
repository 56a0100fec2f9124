import { Container } from 'inversify';
import { allNodeInfos, Clock, CommandRunner, compose, CoordinationStore, LocalNode, Logger, type ClusterConfig, type Composition, type PluginCatalog } from '@tandem/core';

export interface LocalPorts {
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly logger: Logger;
  readonly store: CoordinationStore;
}

/** Compose the plugins of `node` over a root container holding this process's ports. */
export function composeLocal(config: ClusterConfig, node: string, catalog: PluginCatalog, ports: LocalPorts, env?: Readonly<Record<string, string | undefined>>): Promise<Composition> {
  const root = new Container();
  root.bind(Clock).toConstantValue(ports.clock);
  root.bind(CommandRunner).toConstantValue(ports.runner);
  root.bind(Logger).toConstantValue(ports.logger);
  root.bind(CoordinationStore).toConstantValue(ports.store);
  root.bind(LocalNode).toConstantValue(allNodeInfos(config).find((n) => n.name === node));
  return compose(config, node, catalog, root, env);
}
