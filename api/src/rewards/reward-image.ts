import { dataUrlBytes, sizeOf } from '../branding/logo-image.ts';
import { invalidField } from '../shared/errors.ts';
import type { RewardImageType } from './rewards.repository.ts';

// A reward's picture for the member app's catalog, checked from its bytes whatever the data URL
// declares: PNG, JPEG or WebP (what every phone browser shows), at most 512 KiB (the column's CHECK).

export const MAX_REWARD_IMAGE_BYTES = 512 * 1024;
export const MIN_REWARD_IMAGE_SIDE = 64;
export const MAX_REWARD_IMAGE_SIDE = 4096;
const FIELD = 'body.image';

const typeOf: Record<string, RewardImageType> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

export function parseRewardImage(image: string): { bytes: Buffer; type: RewardImageType; width: number; height: number } {
  const bytes = dataUrlBytes(image, FIELD);
  if (bytes.length > MAX_REWARD_IMAGE_BYTES) {
    throw invalidField(FIELD, `The image is ${Math.ceil(bytes.length / 1024)} KiB; a reward image may have at most ${MAX_REWARD_IMAGE_BYTES / 1024} KiB`);
  }
  const size = sizeOf(bytes);
  const type = size?.type ? typeOf[size.type] : undefined;
  if (!size || !type) {
    const found = size?.type ? ` (this is ${size.type.toUpperCase()})` : '';
    throw invalidField(FIELD, `Only PNG, JPEG and WebP images are accepted${found}`);
  }
  const { width, height } = size;
  if (Math.min(width, height) < MIN_REWARD_IMAGE_SIDE) {
    throw invalidField(FIELD, `The image is ${width}×${height} px; its short side must be at least ${MIN_REWARD_IMAGE_SIDE} px`);
  }
  if (Math.max(width, height) > MAX_REWARD_IMAGE_SIDE) {
    throw invalidField(FIELD, `The image is ${width}×${height} px; each side may be at most ${MAX_REWARD_IMAGE_SIDE} px`);
  }
  return { bytes, type, width, height };
}
