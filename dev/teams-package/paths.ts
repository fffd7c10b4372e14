import { join } from 'node:path';

/** The repository root, from dist/dev/teams-package/. */
export const ROOT = join(__dirname, '..', '..', '..');
/** Where the manifest template, the icons and the language files live, relative to a root. */
export const teamsDir = (root: string): string => join(root, 'infra', 'teams');
export const BUILD_DIR = join(teamsDir(ROOT), 'build');
export const PACKAGE_NAME = 'genie-teams.zip';
