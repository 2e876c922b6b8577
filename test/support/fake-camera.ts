import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

// A video for Chromium's fake camera (`--use-file-for-fake-video-capture`): a QR held still in
// front of the lens, as uncompressed Y4M (4:2:0). Grey only: the luma plane draws the QR, both
// chroma planes are 128 (no colour).

const WIDTH = 640;
const HEIGHT = 480;
const QUIET_MODULES = 4;

/** The luma plane of one frame: white, with the QR (its quiet zone included) centred. */
function qrFrame(text: string): Buffer {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = modules.size + 2 * QUIET_MODULES;
  const scale = Math.floor((Math.min(WIDTH, HEIGHT) * 0.9) / side);
  const left = Math.floor((WIDTH - side * scale) / 2);
  const top = Math.floor((HEIGHT - side * scale) / 2);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 255);
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (!modules.data[row * modules.size + column]) continue;
      const x0 = left + (column + QUIET_MODULES) * scale;
      const y0 = top + (row + QUIET_MODULES) * scale;
      for (let y = y0; y < y0 + scale; y++) luma.fill(0, y * WIDTH + x0, y * WIDTH + x0 + scale);
    }
  }
  return luma;
}

/** Writes `frames` frames of the QR of `text` to `file` (10 frames a second; Chromium loops it). */
export function writeQrVideo(file: string, text: string, frames = 5) {
  const luma = qrFrame(text);
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
