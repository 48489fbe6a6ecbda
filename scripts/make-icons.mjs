// Draws the app and .octz document icons (SVG, in build/icons/*.svg) with Chromium and writes what
// electron-builder wants: build/icons/png/<size>x<size>.png (Linux), icon.icns / file.icns (macOS, PNG-based
// icns) and icon.ico / file.ico (Windows, PNG-based ico). Run after editing an SVG:
//   node scripts/make-icons.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = fileURLToPath(new URL('../build/icons/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function render(page, svg, size) {
  await page.setViewportSize({ width: size, height: size });
  const html = `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`;
  await page.setContent(html);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

/** ICO with PNG images (Windows Vista and later read these). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

/** ICNS with PNG payloads: ic07 128, ic08 256, ic09 512, ic10 1024 (512@2x). */
function icns(images) {
  const TYPES = { 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const chunks = images
    .filter((i) => TYPES[i.size])
    .map(({ size, png }) => {
      const head = Buffer.alloc(8);
      head.write(TYPES[size], 0, 'ascii');
      head.writeUInt32BE(png.length + 8, 4);
      return Buffer.concat([head, png]);
    });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  mkdirSync(`${dir}png`, { recursive: true });
  for (const name of ['icon', 'file']) {
    const svg = readFileSync(`${dir}${name}.svg`, 'utf8');
    const images = [];
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) images.push({ size, png: await render(page, svg, size) });
    if (name === 'icon') {
      for (const { size, png } of images) if (size <= 512) writeFileSync(`${dir}png/${size}x${size}.png`, png);
    }
    writeFileSync(`${dir}${name}.ico`, ico(images.filter((i) => [16, 32, 48, 64, 128, 256].includes(i.size))));
    writeFileSync(`${dir}${name}.icns`, icns(images));
  }
} finally {
  await browser.close();
}
