// Test users' avatars: a coloured square with the nickname's first letter, drawn locally (no network).
import { createHash } from 'node:crypto';
import { escapeHtml } from '../http/html';

const COLOURS = ['#07c160', '#10aeff', '#fa9d3b', '#fa5151', '#6467f0', '#1485ee', '#2bad63', '#b37feb'];

export function buildAvatarSvg(userId: string, nickname: string, size = 132): string {
  const digest = createHash('sha256').update(userId).digest();
  const colour = COLOURS[(digest[0] ?? 0) % COLOURS.length] ?? '#07c160';
  const letter = escapeHtml((Array.from(nickname.trim())[0] ?? '?').toUpperCase());
  const fontSize = Math.round(size * 0.5);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<rect width="${size}" height="${size}" rx="${Math.round(size * 0.12)}" fill="${colour}"/>` +
    `<text x="50%" y="50%" dy=".35em" text-anchor="middle" fill="#fff" font-family="-apple-system,Helvetica,Arial,sans-serif" font-size="${fontSize}" font-weight="600">${letter}</text>` +
    `</svg>`
  );
}
