// The application menu as data, so its shape is testable without Electron; main turns it into a Menu.
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../contract.ts';

export interface MenuActions {
  command(command: MenuCommand): void;
  openRecent(path: string): void;
}

export function buildMenuTemplate(
  platform: NodeJS.Platform,
  recentPaths: readonly string[],
  actions: MenuActions,
  options: { devTools: boolean },
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const recent: MenuItemConstructorOptions[] =
    recentPaths.length === 0
      ? [{ label: 'No Recent Archives', enabled: false }]
      : recentPaths.slice(0, 10).map((p) => ({ label: basename(p), sublabel: p, click: () => actions.openRecent(p) }));
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { label: '&New Archive…', accelerator: 'CmdOrCtrl+N', click: () => actions.command('new-archive') },
        { label: '&Open Archive…', accelerator: 'CmdOrCtrl+O', click: () => actions.command('open-archive') },
        { label: 'Open &Recent', submenu: recent },
        { type: 'separator' },
        { label: '&Close Archive', accelerator: 'CmdOrCtrl+W', click: () => actions.command('close-archive') },
        ...(mac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
      ],
    },
    { role: 'editMenu' },
    {
      label: '&Archive',
      submenu: [
        { label: '&Extract All…', accelerator: 'CmdOrCtrl+E', click: () => actions.command('extract-all') },
        { label: '&Verify', accelerator: 'CmdOrCtrl+Shift+V', click: () => actions.command('verify') },
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(options.devTools ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    { role: 'windowMenu' },
  );
  return template;
}
