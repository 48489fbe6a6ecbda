import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../electron/contract.ts';
import { buildMenuTemplate } from '../../electron/app/menu.ts';

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.label === label) return item;
    if (Array.isArray(item.submenu)) {
      const inner = find(item.submenu, label);
      if (inner) return inner;
    }
  }
  return undefined;
}

describe('application menu', () => {
  const commands: MenuCommand[] = [];
  const opened: string[] = [];
  const actions = { command: (c: MenuCommand) => void commands.push(c), openRecent: (p: string) => void opened.push(p) };

  it('sends its commands to the renderer and opens recent archives', () => {
    const menu = buildMenuTemplate('linux', ['/home/u/a.octz', '/home/u/b.octz'], actions, { devTools: false });
    for (const label of ['&New Archive…', '&Open Archive…', '&Close Archive', '&Extract All…', '&Verify']) {
      const item = find(menu, label)!;
      expect(item.accelerator, label).toMatch(/^CmdOrCtrl\+/);
      (item.click as () => void)();
    }
    expect(commands).toEqual(['new-archive', 'open-archive', 'close-archive', 'extract-all', 'verify']);
    (find(menu, 'b.octz')!.click as () => void)();
    expect(opened).toEqual(['/home/u/b.octz']);
  });

  it('offers developer tools only in development, and the app menu only on macOS', () => {
    const roles = (m: MenuItemConstructorOptions[]): string[] =>
      m.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);
    expect(roles(buildMenuTemplate('linux', [], actions, { devTools: false }))).not.toContain('toggleDevTools');
    expect(roles(buildMenuTemplate('linux', [], actions, { devTools: true }))).toContain('toggleDevTools');
    expect(roles(buildMenuTemplate('darwin', [], actions, { devTools: false }))).toContain('appMenu');
    expect(find(buildMenuTemplate('linux', [], actions, { devTools: false }), 'No Recent Archives')?.enabled).toBe(false);
  });
});
