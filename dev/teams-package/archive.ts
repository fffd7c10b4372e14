import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { zipSync } from 'fflate';

import { buildManifest, checkLanguageFile, checkManifest } from './manifest';
import type { PackageOptions } from './options';
import { ROOT, teamsDir } from './paths';
import { promptStarterTranslations, withPromptStarters } from './prompt-starters';

export interface PackageFile {
  readonly name: string;
  readonly data: Buffer;
}

const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

/**
 * Every file of the package, in zip order: manifest.json, the two committed icons, then one file per
 * additional language, each filled with the same values as the manifest and checked against it.
 */
export function packageFiles(options: PackageOptions, root = ROOT): PackageFile[] {
  const teams = teamsDir(root);
  const readTemplate = (file: string): unknown => JSON.parse(readFileSync(join(teams, file), 'utf8'));
  const questions = options.promptStarters;
  const manifest = withPromptStarters(buildManifest(readTemplate('manifest.template.json'), options.values), questions);
  const problems = checkManifest(manifest);
  const info = manifest.localizationInfo as { additionalLanguages?: { file: string }[] } | undefined;
  const languages = (info?.additionalLanguages ?? []).map(({ file }) => {
    const language = {
      ...buildManifest(readTemplate(join('languages', file)), options.values),
      ...promptStarterTranslations(manifest, questions),
    };
    problems.push(...checkLanguageFile(file, language, manifest));
    return { name: file, data: json(language) };
  });
  if (problems.length) throw new Error(`Teams package:\n  - ${problems.join('\n  - ')}`);
  return [
    { name: 'manifest.json', data: json(manifest) },
    { name: 'color.png', data: readFileSync(join(teams, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(teams, 'outline.png')) },
    ...languages,
  ];
}

/** Zip timestamps are fixed, so the same inputs give the same bytes (zip dates start in 1980). */
const ZIP_TIME = new Date(1980, 0, 1);

/** The package: every file deflated at the zip root, as Teams expects. */
export function zipPackage(files: readonly PackageFile[]): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(files.map((file) => [file.name, [file.data, { level: 9, mtime: ZIP_TIME }]]))));
}
