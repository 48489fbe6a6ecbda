import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  archivePathFromArgv,
  isTrustedSender,
  resolveAppFile,
} from '../../electron/app/app-origin.ts';

describe('IPC sender check', () => {
  const own = { frameUrl: APP_ENTRY_URL, isMainFrame: true, ownWindow: true };
  it('accepts only the main frame of our own window showing our page', () => {
    expect(isTrustedSender(own)).toBe(true);
    expect(isTrustedSender({ ...own, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...own, ownWindow: false })).toBe(false);
    expect(isTrustedSender({ ...own, frameUrl: null })).toBe(false);
    for (const url of ['https://octozip.org/', 'file:///tmp/index.html', 'app://evil/index.html', 'app://octozip.evil/', 'not a url', 'data:text/html,x']) {
      expect(isTrustedSender({ ...own, frameUrl: url }), url).toBe(false);
    }
  });
});

describe('app:// file serving', () => {
  const root = '/opt/octozip/renderer/dist';
  it('maps app URLs into the renderer folder and nowhere else', () => {
    expect(resolveAppFile(root, 'app://octozip/index.html')).toBe(`${root}/index.html`);
    expect(resolveAppFile(root, 'app://octozip/')).toBe(`${root}/index.html`);
    expect(resolveAppFile(root, 'app://octozip/assets/index-1.js?x=1')).toBe(`${root}/assets/index-1.js`);
    // Dot segments either collapse inside the folder (URL parsing) or are refused; they never leave it.
    for (const hostile of ['app://octozip/%2e%2e/%2e%2e/etc/passwd', 'app://octozip/../../etc/passwd', 'app://octozip/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const file = resolveAppFile(root, hostile);
      expect(file === null || file.startsWith(`${root}/`), `${hostile} -> ${file}`).toBe(true);
    }
    expect(resolveAppFile(root, 'app://octozip/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile(root, 'app://octozip/a%00b')).toBeNull();
    expect(resolveAppFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'app://octozip/%E0%A4%A')).toBeNull();
  });

  it('serves the same Content Security Policy as the page declares', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});

describe('opening from the OS', () => {
  it('finds an archive on the command line and ignores flags', () => {
    expect(archivePathFromArgv(['/usr/bin/octozip', '--no-sandbox', '/home/u/a.octz'], '/')).toBe('/home/u/a.octz');
    expect(archivePathFromArgv(['C:\\Octozip.exe', 'C:\\Users\\u\\B.OCTZ'], 'D:\\', path.win32)).toBe('C:\\Users\\u\\B.OCTZ');
    expect(archivePathFromArgv(['/usr/bin/octozip', '.'], '/')).toBeNull();
    expect(archivePathFromArgv(['/home/u/only-the-exe.octz'], '/')).toBeNull();
  });

  it('resolves a relative archive against the working directory of the instance that named it', () => {
    // second-instance: the running app's own cwd is elsewhere; the path means what it meant in the new one.
    expect(archivePathFromArgv(['/usr/bin/octozip', 'sub/a.octz'], '/home/u/work')).toBe('/home/u/work/sub/a.octz');
    expect(archivePathFromArgv(['/usr/bin/octozip', '../a.octz'], '/home/u/work')).toBe('/home/u/a.octz');
    expect(archivePathFromArgv(['C:\\Octozip.exe', 'a.octz'], 'D:\\Docs', path.win32)).toBe('D:\\Docs\\a.octz');
  });
});
