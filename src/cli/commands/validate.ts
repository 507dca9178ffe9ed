import { planScenario } from '../../scenario/plan.js';

/** `kvsim validate`: every check a run makes before simulating, and nothing else. */
export function validateCommand(a: { scenario: string[]; json: boolean; 'allow-large': boolean }): void {
  const out = a.scenario.map((file) => {
    const plan = planScenario(file, { allowLarge: a['allow-large'] });
    return { file, name: plan.loaded.input.name, variants: plan.configs.length, warnings: plan.configs.flatMap((c) => c.warnings.map((w) => `${c.label}: ${w}`)) };
  });
  if (a.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  for (const o of out) {
    process.stdout.write(`ok ${o.file}: ${o.name}, ${o.variants} variant${o.variants === 1 ? '' : 's'}\n`);
    for (const w of o.warnings) process.stdout.write(`  warning: ${w}\n`);
  }
}
