/**
 * The sideloadable Teams app package: manifest.json, color.png (192×192), outline.png (32×32, white on
 * transparent) and one translation file per additional language, all at the zip root. The icons are
 * committed under infra/teams/; the manifest and the language files are templates filled per deployment.
 * The command line is cli.ts (`npm run package:teams`).
 */
export { type PackageFile, packageFiles, zipPackage } from './archive';
export { buildManifest, checkLanguageFile, checkManifest, localizableStrings, MANIFEST_VERSION, teamsAppIdFor } from './manifest';
export { type PackageOptions, readAzdEnv, resolveOptions } from './options';
export { BUILD_DIR, PACKAGE_NAME, ROOT } from './paths';
export { MAX_PROMPT_STARTERS, promptStartersFrom, promptStarterTranslations, withPromptStarters } from './prompt-starters';
