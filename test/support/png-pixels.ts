/**
 * A minimal PNG reader for tests: 8-bit RGB/RGBA, non-interlaced (what Chromium's --screenshot
 * and resvg write). It lets a test ask "are the figure's line colours on screen?" instead of
 * trusting a file size. Not used by the report writer itself.
 */
import { inflateSync } from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

export function decodePng(png: Uint8Array): Pixels {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 3;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colorType, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0)
        throw new Error(`unsupported PNG: depth ${depth}, color type ${colorType}, interlace ${interlace}`);
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? data[row + x - channels]! : 0;
      const b = y > 0 ? data[row - stride + x]! : 0;
      const c = x >= channels && y > 0 ? data[row - stride + x - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      data[row + x] = (src[x]! + pred) & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** How many pixels are within `tol` (per channel) of an RGB colour. */
export function countColor(px: Pixels, rgb: [number, number, number], tol = 12): number {
  let n = 0;
  for (let i = 0; i < px.data.length; i += px.channels) {
    if (Math.abs(px.data[i]! - rgb[0]) <= tol && Math.abs(px.data[i + 1]! - rgb[1]) <= tol && Math.abs(px.data[i + 2]! - rgb[2]) <= tol) n++;
  }
  return n;
}

/** Fraction of pixels that are not (near) white. */
export function inkFraction(px: Pixels): number {
  const white = countColor(px, [255, 255, 255], 8);
  return 1 - white / (px.width * px.height);
}
